// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});

// htmx leaves 4xx answers unswapped; a 422 is a form returned with its errors beside the fields, so show it where
// the person acted (and a new, empty file input, so the next save is not refused again for the same file).
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
