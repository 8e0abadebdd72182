// The builder's preview: conditional questions shown and hidden as answers change, by the
// audit form's own rule (visibleIds). Nothing is saved; "Try these answers" posts the form and
// the server grades it. Without this script the page still works: the server shows what the
// answers tried make visible.
import { visibleIds } from './audit-form-logic.js'

function valueOf (element) {
  const id = element.dataset.question
  const type = element.dataset.type
  const name = `answer-${id}`
  if (type === 'checklist') {
    return [...element.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value)
  }
  const na = element.querySelector(`input[name="na-${id}"]`)
  if (na && na.checked) return 'na'
  const checked = element.querySelector(`input[name="${name}"]:checked`)
  if (checked) return checked.value
  const input = element.querySelector(`[name="${name}"]:not([type="radio"])`)
  return input ? input.value : null
}

function start (form) {
  const questions = new Map()
  for (const element of form.querySelectorAll('[data-question]')) {
    questions.set(element.dataset.question, element)
  }
  const rules = [...questions.values()].map((element) => ({
    id: element.dataset.question,
    showIf: element.dataset.showIfQuestion
      ? { question: element.dataset.showIfQuestion, equals: JSON.parse(element.dataset.showIfEquals) }
      : null
  }))
  const apply = () => {
    const visible = visibleIds(rules, (id) => valueOf(questions.get(id)))
    for (const [id, element] of questions) {
      element.classList.toggle('app-question--hidden', !visible.has(id))
    }
    for (const section of form.querySelectorAll('[data-section]')) {
      const shown = [...section.querySelectorAll('[data-question]')].some(
        (element) => visible.has(element.dataset.question)
      )
      section.classList.toggle('app-section--hidden', !shown)
    }
  }
  form.addEventListener('change', apply)
  apply()
}

const form = document.querySelector('[data-module="app-question-set-preview"]')
if (form) start(form)
