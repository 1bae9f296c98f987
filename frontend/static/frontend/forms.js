/* A refused form: move focus to its error summary so that a screen reader announces what to
   fix first, and a keyboard user starts from the list of links to the fields. */
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) {
    summary.focus();
  }
});
