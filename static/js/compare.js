// Side-by-side view: choosing an aligned claim scrolls both articles to the pair and marks
// them. Without JavaScript the links still jump to the claim in the left-hand article.
(function () {
  "use strict";
  function show(link) {
    document.querySelectorAll(".aligned.current").forEach((el) => el.classList.remove("current"));
    [link.dataset.left, link.dataset.right].forEach((id) => {
      const target = document.getElementById(id);
      if (!target) return;
      target.classList.add("current");
      target.scrollIntoView({ block: "center", behavior: "smooth" });
    });
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.pair");
    if (!link) return;
    event.preventDefault();
    show(link);
    history.replaceState(null, "", "#" + link.id);
  });
  const start = location.hash && document.querySelector(location.hash + ".pair");
  if (start) show(start);
})();
