"""Layout checks run inside a page: sideways scrolling and tap-target sizes.

Both return what a failure message needs (the offending elements, described
by tag, id, classes and text), so a failing test says where to look.
"""

# The largest text size a phone offers: every rem and em doubles. Set through
# the CSSOM, which the page's Content-Security-Policy allows (a <style> it refuses).
LARGE_TEXT_JS = """() => {
  document.documentElement.style.setProperty("font-size", "200%", "important");
  return getComputedStyle(document.documentElement).fontSize;
}"""

# What a tap opens is checked too: every <details> and the collapsed header menu.
REVEAL_JS = """() => {
  for (const details of document.querySelectorAll("details")) details.open = true;
  for (const menu of document.querySelectorAll(".navbar-collapse")) menu.classList.add("show");
}"""

_DESCRIBE = """
const describe = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  const classes = [...el.classList].filter((c) => !c.startsWith("leaflet-")).slice(0, 3);
  if (classes.length) name += "." + classes.join(".");
  const text = (el.getAttribute("aria-label") || el.textContent || el.value || "")
    .replace(/\\s+/g, " ").trim().slice(0, 40);
  return text ? `${name} "${text}"` : name;
};
"""

# document.documentElement.scrollWidth > clientWidth means the page scrolls
# sideways. The culprits are the outermost elements sticking out past the
# right edge (or the left one) that no scroll container of their own clips.
OVERFLOW_JS = (
    "() => {"
    + _DESCRIBE
    + """
  const root = document.documentElement;
  const width = root.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX !== "visible" && style.overflowX !== "clip") return true;
    }
    return false;
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (!box.width || (box.right <= width + 0.5 && box.left >= -0.5)) continue;
    if (getComputedStyle(el).position === "fixed" || clipped(el)) continue;
    if (culprits.some((outer) => outer.contains(el))) continue;
    culprits.push(el);
  }
  // A word too long for its line sticks out of a box that itself fits.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || culprits.some((outer) => outer.contains(el))) continue;
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (!box.width || (box.right <= width + 0.5 && box.left >= -0.5)) continue;
    if (getComputedStyle(el).position === "fixed" || clipped(node)) continue;
    culprits.push(el);
  }
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: width,
    culprits: culprits.slice(0, 8).map((el) => {
      const box = el.getBoundingClientRect();
      return `${describe(el)} [${Math.round(box.left)}..${Math.round(box.right)}]`;
    }),
  };
}"""
)

# WCAG 2.2 2.5.8 Target Size (Minimum): 24 x 24 CSS px, unless a 24 px circle
# centred on the target touches no other target (the spacing exception) or the
# target is a link inside a sentence (the inline exception). Primary actions and
# toggles are held to 44 x 44 (2.5.5, the enhanced level). A checkbox, radio or
# switch counts together with the label that wraps it or points at it when that
# label sits on the same row: tapping either toggles it. The control itself must
# still be 24 x 24 so it can be seen and aimed at.
TAP_TARGETS_JS = (
    "(limits) => {"
    + _DESCRIBE
    + """
  const {minimum, primary} = limits;
  const SELECTOR = "a[href], button, input[type=checkbox], input[type=radio], "
    + ".form-check-input, select, summary, [role=button]";
  const PRIMARY = ".btn-primary, .btn-lg, .form-switch .form-check-input, .navbar-toggler";
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) return false;  // visually-hidden helpers
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.pointerEvents === "none") return false;
    if (el.closest("[inert], [aria-hidden=true]")) return false;
    return !el.closest("details:not([open]) > :not(summary)");
  };
  const union = (a, b) => {
    const left = Math.min(a.left, b.left), top = Math.min(a.top, b.top);
    const right = Math.max(a.right, b.right), bottom = Math.max(a.bottom, b.bottom);
    return {left, top, right, bottom, width: right - left, height: bottom - top};
  };
  const target = (el) => {
    let box = el.getBoundingClientRect();
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      const label = el.closest("label")
        || (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`));
      if (label) {
        const own = label.getBoundingClientRect();
        const sameRow = own.top < box.bottom && own.bottom > box.top;
        if (label.contains(el) || sameRow) box = union(box, own);
      }
    }
    return box;
  };
  // A link in running text: its block has words of its own beside the link.
  const inline = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = el.parentElement;
    if (!block) return false;
    let own = "";
    for (const node of block.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) own += node.textContent;
      else if (node !== el && node.matches && !node.matches(SELECTOR)
               && getComputedStyle(node).display === "inline") own += node.textContent;
    }
    return own.replace(/[\\s|·•,.()]+/g, "").length >= 3;
  };
  const items = [...document.querySelectorAll(SELECTOR)].filter(visible).map((el) => ({
    el, own: el.getBoundingClientRect(), box: target(el),
  }));
  const small = (item, size) => item.box.width < size - 0.5 || item.box.height < size - 0.5;
  const centre = (box) => [box.left + box.width / 2, box.top + box.height / 2];
  const overlaps = (box, cx, cy, r) => {
    const x = Math.max(box.left, Math.min(cx, box.right));
    const y = Math.max(box.top, Math.min(cy, box.bottom));
    return (x - cx) ** 2 + (y - cy) ** 2 < r * r;
  };
  const spaced = (item) => {
    const [cx, cy] = centre(item.box);
    return items.every((other) => {
      if (other === item || other.el.contains(item.el) || item.el.contains(other.el)) return true;
      if (overlaps(other.box, cx, cy, minimum / 2)) return false;
      if (!small(other, minimum)) return true;
      const [ox, oy] = centre(other.box);
      return Math.hypot(ox - cx, oy - cy) >= minimum;
    });
  };
  const found = [];
  for (const item of items) {
    const size = `${Math.round(item.box.width)}x${Math.round(item.box.height)}`;
    const control = item.el.matches("input[type=checkbox], input[type=radio]");
    if (item.el.matches(PRIMARY) && small(item, primary)) {
      const need = `${primary}x${primary}`;
      found.push(`${describe(item.el)}: ${size}, a main action or toggle needs ${need}`);
    } else if (control && (item.own.width < minimum - 0.5 || item.own.height < minimum - 0.5)) {
      const own = `${Math.round(item.own.width)}x${Math.round(item.own.height)}`;
      found.push(`${describe(item.el)}: the control is ${own}, needs ${minimum}x${minimum}`);
    } else if (small(item, minimum) && !inline(item.el) && !spaced(item)) {
      found.push(`${describe(item.el)}: ${size}, needs ${minimum}x${minimum} or room around it`);
    }
  }
  return found;
}"""
)


def large_text_overflow(page) -> dict:
    """Set the root font to 200 % and say whether (and where) the page scrolls sideways."""
    page.evaluate(REVEAL_JS)
    assert page.evaluate(LARGE_TEXT_JS) == "32px"
    return page.evaluate(OVERFLOW_JS)


def small_tap_targets(page, *, minimum: int = 24, primary: int = 44) -> list[str]:
    """The visible controls and links on the page that are too small to tap."""
    page.evaluate(REVEAL_JS)
    return page.evaluate(TAP_TARGETS_JS, {"minimum": minimum, "primary": primary})
