// Copy-to-clipboard buttons for feed URLs (no inline scripts: the CSP forbids them).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const text = button.getAttribute("data-copy");
  const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy feed URL"; }, 1500); };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(text).then(done, () => {});
  } else {
    const input = button.parentElement.querySelector("input");
    if (input) { input.select(); document.execCommand("copy"); done(); }
  }
});
