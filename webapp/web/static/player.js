// Episode page: chapters and transcript lines seek the player; the line being spoken is
// marked as it plays; the transcript can be searched. A file, not inline: the CSP forbids those.
(() => {
  const player = document.querySelector("article audio, article video");
  const lines = Array.from(document.querySelectorAll("#transcript li"));
  const filter = document.getElementById("transcript-filter");
  const count = document.getElementById("transcript-count");
  if (!player) return;

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-seek]");
    if (!button) return;
    player.currentTime = parseFloat(button.dataset.seek);
    player.play().catch(() => {});
  });

  let current = null;
  player.addEventListener("timeupdate", () => {
    const t = player.currentTime;
    const line = lines.find((li) => t >= parseFloat(li.dataset.start) && t < parseFloat(li.dataset.end));
    if (line === current) return;
    if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
    current = line || null;
    if (current) {
      current.classList.add("current");
      current.setAttribute("aria-current", "true");
      if (!filter || !filter.value) current.scrollIntoView({ block: "nearest" });
    }
  });

  if (filter) {
    filter.addEventListener("input", () => {
      const words = filter.value.trim().toLowerCase();
      let shown = 0;
      for (const li of lines) {
        const match = !words || li.textContent.toLowerCase().includes(words);
        li.hidden = !match;
        if (match) shown += 1;
      }
      count.textContent = words ? `${shown} of ${lines.length} lines` : "";
    });
  }
})();
