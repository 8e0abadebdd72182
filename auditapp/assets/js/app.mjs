// Starts the GOV.UK and MOJ Frontend components on every page. Page-specific behaviour lives in
// its own module (for example audit-form.mjs), loaded by the page that needs it.
import { initAll } from './govuk-frontend.min.js'

initAll()
