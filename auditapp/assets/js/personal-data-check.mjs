// Warns beside a free-text field, as the user types, when the text seems to hold personal data
// (a name after "child" or "mother", a date of birth, an address, a phone number...).
//
// Which fields: those the server marks data-personal-data="check", text areas and single-line
// inputs alike, because it checks them on save (auditapp/validators.py: NoPersonalData on a
// CheckedForm; the case form's notes and text answers): a note, an evidence entry's source, an
// action's owner... Numbers, dates, references and an account's email address are never
// marked, so never checked.
//
// The browser asks the server (POST JSON to the check URL, CSRF token in X-CSRFToken) instead
// of copying its patterns: there is one rule, in auditapp/domain/personal_data.py, so the
// warning and the refusal on save never disagree. Nothing is stored or logged by the check;
// saving checks again and is the authority. Without this script (or offline) the save still
// refuses the text with the same message next to the field.
const TYPING_DELAY = 800
const script = document.querySelector('script[data-personal-data-check]')
const checkUrl = script ? script.dataset.personalDataCheck : null
const timers = new WeakMap()
const latest = new WeakMap()

function warningElement (field) {
  const id = `${field.id || field.name}-personal-data`
  let element = document.getElementById(id)
  if (!element) {
    element = document.createElement('p')
    element.id = id
    element.className = 'govuk-error-message app-personal-data-warning'
    element.setAttribute('aria-live', 'polite')
    element.hidden = true
    field.before(element)
    const described = (field.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
    if (!described.includes(id)) field.setAttribute('aria-describedby', [...described, id].join(' '))
  }
  return element
}

// Show (or, with no message, clear) the warning beside a field. Also used by the case form
// when an autosave is refused for personal data.
export function showPersonalDataWarning (field, message) {
  if (!field) return
  const element = warningElement(field)
  element.replaceChildren()
  element.hidden = !message
  if (!message) return
  const prefix = document.createElement('span')
  prefix.className = 'govuk-visually-hidden'
  prefix.textContent = 'Warning: '
  element.append(prefix, message)
}

function nounOf (field) {
  return (field.name || '').startsWith('note-') ? 'note' : 'text'
}

function isChecked (field) {
  const typed = field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement
  return typed && field.dataset.personalData === 'check'
}

async function check (field) {
  const form = field.closest('form')
  const token = form && form.querySelector('input[name="csrf_token"]')
  if (!checkUrl || !token) return
  const text = field.value
  latest.set(field, text)
  let data = null
  try {
    const response = await fetch(checkUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRFToken': token.value
      },
      body: JSON.stringify({ text, what: nounOf(field) })
    })
    if (response.ok) data = await response.json()
  } catch {
    return // offline: the save will say it
  }
  if (!data || latest.get(field) !== text) return // a newer check is on its way
  showPersonalDataWarning(field, data.message)
}

function onInput (event) {
  const field = event.target
  if (!(field instanceof HTMLElement) || !isChecked(field)) return
  clearTimeout(timers.get(field))
  timers.set(field, setTimeout(() => check(field), TYPING_DELAY))
}

if (checkUrl) document.addEventListener('input', onInput)
