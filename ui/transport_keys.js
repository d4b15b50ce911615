// Space for Play / Pause, and the focus kept on them: see ui/transport.py.
(() => {
  if (window.pgTransportKeys) return;
  window.pgTransportKeys = true;
  const slot = '.st-key-__SLOT__';
  const button = () => document.querySelector(slot + ' button');
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
    const lost = !document.activeElement || document.activeElement === document.body;
    if (b && lost) b.focus();
  }).observe(document.body, {childList: true, subtree: true});
})();
