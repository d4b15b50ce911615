// Space for Play / Pause, and the focus kept on them: see ui/transport.py.
(() => {
  if (window.pgTransportKeys) return;
  window.pgTransportKeys = true;
  const slot = '.st-key-__SLOT__';
  // The button shown: Streamlit may keep the one it replaced beside it, marked retained,
  // and on a touch screen it draws a button with help twice, the one with the tooltip hidden.
  const button = () => [...document.querySelectorAll(slot + ' > :not([data-retained]) button')]
      .find((b) => b.getClientRects().length > 0);
  const inSlot = (el) => !!(el && el.closest && el.closest(slot));
  const takesSpace = (el) => !!el && el !== document.body && (el.isContentEditable
      || /^(INPUT|TEXTAREA|SELECT|BUTTON|A|SUMMARY)$/.test(el.tagName)
      || /^(slider|textbox|combobox|listbox|option|spinbutton|tab|switch|checkbox|radio)$/
           .test(el.getAttribute('role') || ''));
  let keepFocus = false;
  document.addEventListener('keydown', (e) => {
    if ((e.key !== ' ' && e.code !== 'Space') || e.repeat || e.ctrlKey || e.metaKey
        || e.altKey || takesSpace(document.activeElement)) return;
    const b = button();
    if (!b) return;
    e.preventDefault();
    keepFocus = true;
    b.focus();
    b.click();
  }, true);
  document.addEventListener('pointerdown', (e) => { keepFocus = inSlot(e.target); }, true);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') keepFocus = false;
    else if ((e.key === ' ' || e.key === 'Enter') && inSlot(document.activeElement))
      keepFocus = true;
  }, true);
  new MutationObserver(() => {
    const b = keepFocus && button();
    const now = document.activeElement;
    const lost = !now || now === document.body || (inSlot(now) && now !== b);
    if (b && lost) b.focus();
  }).observe(document.body, {childList: true, subtree: true, attributes: true,
                             attributeFilter: ['data-retained', 'data-stale']});
})();
