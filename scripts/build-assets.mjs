// Builds auditapp/static/dist from npm packages: compiled CSS (no GOV.UK font), GOV.UK images,
// the GOV.UK and MOJ JavaScript bundles and our own modules. Run with `npm run build`.
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'auditapp', 'static', 'dist')
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const moj = join(root, 'node_modules', '@ministryofjustice', 'frontend', 'moj')

mkdirSync(join(dist, 'assets'), { recursive: true })

const css = sass.compile(join(root, 'auditapp', 'assets', 'scss', 'app.scss'), {
  loadPaths: [join(root, 'node_modules'), root],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import', 'global-builtin']
})
writeFileSync(join(dist, 'app.css'), css.css)
// The printable report's own stylesheet (also the whole look of the PDF export).
const reportCss = sass.compile(join(root, 'auditapp', 'assets', 'scss', 'report.scss'), {
  style: 'compressed'
})
writeFileSync(join(dist, 'report.css'), reportCss.css)

// Images only: the GOV.UK font files are deliberately not copied.
cpSync(join(govuk, 'assets', 'images'), join(dist, 'assets', 'images'), { recursive: true })
cpSync(join(govuk, 'govuk-frontend.min.js'), join(dist, 'govuk-frontend.min.js'))
cpSync(join(moj, 'moj-frontend.min.js'), join(dist, 'moj-frontend.min.js'))
const ownJs = join(root, 'auditapp', 'assets', 'js')
for (const name of readdirSync(ownJs)) {
  cpSync(join(ownJs, name), join(dist, name.replace(/\.mjs$/, '.js')))
}
console.log(`assets built in ${dist}`)
