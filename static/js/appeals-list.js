// The filter form of /requests/: htmx sends only the filters that are set,
// so the URL it pushes stays short and shareable (?q=ліхтар, not ?q=ліхтар&kind=&…).
document.addEventListener("htmx:configRequest", (event) => {
  if (!event.target.closest || !event.target.closest("form[data-drop-empty]")) return;
  const params = event.detail.parameters;
  for (const [name, value] of Array.from(params.entries ? params.entries() : Object.entries(params))) {
    if (value === "") params.delete ? params.delete(name) : delete params[name];
  }
});
