// Progress on large case lists. The upload and the check of every row are one ordinary request,
// so the only honest figures are the bytes the browser has sent: this module sends the form by
// XMLHttpRequest to show "Uploaded 2.1 MB of 4.0 MB" in a <progress>, then an indeterminate bar
// while the server reads the file. Forms marked data-module="app-busy-form" only show their
// panel and stop a second click. Without JavaScript the forms submit as usual and the page's
// notice says how long a large file takes.

import { initAll } from './govuk-frontend.min.js'

function megabytes (bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

function panelOf (form) {
  const panel = document.getElementById(form.dataset.progressPanel)
  return {
    panel,
    bar: panel.querySelector('progress'),
    text: panel.querySelector('[data-progress-text]')
  }
}

function showPanel (form, message) {
  const parts = panelOf(form)
  parts.panel.hidden = false
  parts.text.textContent = message
  parts.bar.removeAttribute('value') // indeterminate until figures come
  for (const button of form.querySelectorAll('button, input[type="submit"]')) {
    button.disabled = true
    button.setAttribute('aria-disabled', 'true')
  }
  return parts
}

function sendWithProgress (form, event) {
  if (!window.FormData || !window.XMLHttpRequest) return
  event.preventDefault()
  const parts = showPanel(form, 'Uploading the file')
  const request = new XMLHttpRequest()
  const target = form.action || window.location.href
  request.upload.addEventListener('progress', (progress) => {
    if (!progress.lengthComputable) return
    parts.bar.max = progress.total
    parts.bar.value = progress.loaded
    parts.text.textContent = `Uploaded ${megabytes(progress.loaded)} of ${megabytes(progress.total)}`
  })
  request.upload.addEventListener('load', () => {
    parts.bar.removeAttribute('value')
    parts.text.textContent = 'Uploaded. Checking the file: this can take a minute for a large list'
  })
  request.addEventListener('load', () => {
    if (request.responseURL && request.responseURL !== new URL(target, window.location.href).href) {
      window.location.assign(request.responseURL) // the next step (the server redirected)
    } else {
      showPageFrom(request.responseText)
    }
  })
  request.addEventListener('error', () => form.submit()) // fall back to an ordinary submit
  request.open('POST', target)
  const data = new FormData(form)
  if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value)
  request.send(data)
}

// The same page again, with its error messages: its <main> and title replace this page's, so
// the scripts already running (and their Content Security Policy nonce) stay as they are.
function showPageFrom (html) {
  const page = new DOMParser().parseFromString(html, 'text/html')
  const main = page.querySelector('main')
  const current = document.querySelector('main')
  if (!main || !current) {
    window.location.reload()
    return
  }
  const replacement = document.importNode(main, true)
  current.replaceWith(replacement)
  document.title = page.title
  initAll({ scope: replacement }) // the error summary takes the focus, as on a normal load
  enhance(replacement)
  window.scrollTo(0, 0)
}

function enhance (scope) {
  for (const form of scope.querySelectorAll('form[data-module="app-upload-progress"]')) {
    form.addEventListener('submit', (event) => sendWithProgress(form, event))
  }
}

enhance(document)
for (const form of document.querySelectorAll('form[data-module="app-busy-form"]')) {
  form.addEventListener('submit', () => {
    // After this task: the browser sends the form (with the clicked button) before the
    // buttons are disabled.
    window.setTimeout(() => showPanel(form, form.dataset.busyText || 'Working'), 0)
  })
}
