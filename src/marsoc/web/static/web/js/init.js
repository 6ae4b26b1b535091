// Marks the page as JavaScript-enabled for GOV.UK Frontend (a file, so the CSP needs no inline script).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
