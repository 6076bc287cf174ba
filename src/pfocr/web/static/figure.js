// Figure page: outline interactions (hover, click for details), tier filter, layer toggles.
// All text is inserted with textContent; links are built from fixed https prefixes only.
(function () {
  "use strict";
  var dataNode = document.getElementById("marks-data");
  if (!dataNode) return;
  var marks = JSON.parse(dataNode.textContent);
  var tiers = Array.prototype.map.call(
    document.querySelectorAll("#tier-filter option"), function (o) { return o.value; });
  var info = document.getElementById("mark-info");
  var svg = document.getElementById("overlay");

  function safeHref(url) {
    return /^https:\/\/[^\s"<>]+$/.test(url) ? url : null;
  }

  function showInfo(index) {
    var mark = marks[index];
    if (!mark || !info) return;
    info.textContent = "";
    var title = document.createElement("h3");
    title.textContent = "“" + mark.word + "” (" + mark.kind + ")";
    info.appendChild(title);
    var list = document.createElement("ul");
    mark.items.forEach(function (item) {
      var li = document.createElement("li");
      var strong = document.createElement("strong");
      strong.textContent = item.label;
      li.appendChild(strong);
      var detail = " matched " + item.match + (item.tier ? ", tier " + item.tier : "") +
        (item.source ? ", " + item.source : "") + (item.id ? " [" + item.id + "]" : "");
      li.appendChild(document.createTextNode(detail + " "));
      item.links.forEach(function (link) {
        var href = safeHref(link[1]);
        if (!href) return;
        var a = document.createElement("a");
        a.href = href;
        a.rel = "noopener";
        a.textContent = link[0];
        li.appendChild(a);
        li.appendChild(document.createTextNode(" "));
      });
      list.appendChild(li);
    });
    info.appendChild(list);
    info.hidden = false;
    document.querySelectorAll(".mark.selected").forEach(function (el) {
      el.classList.remove("selected");
    });
    var rect = document.querySelector('.mark[data-index="' + index + '"]');
    if (rect) rect.classList.add("selected");
  }

  document.querySelectorAll(".mark").forEach(function (rect) {
    var index = Number(rect.getAttribute("data-index"));
    rect.addEventListener("click", function () { showInfo(index); });
    rect.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { showInfo(index); event.preventDefault(); }
    });
  });

  var tierSelect = document.getElementById("tier-filter");
  function applyTier() {
    if (!tierSelect) return;
    var limit = tiers.indexOf(tierSelect.value);
    document.querySelectorAll("[data-tier]").forEach(function (el) {
      var tier = el.getAttribute("data-tier");
      var off = tier !== "" && tiers.indexOf(tier) > limit;
      el.classList.toggle("off", off);
    });
  }
  if (tierSelect) tierSelect.addEventListener("change", applyTier);

  function toggle(id, cls) {
    var box = document.getElementById(id);
    if (!box || !svg) return;
    box.addEventListener("change", function () { svg.classList.toggle(cls, !box.checked); });
  }
  toggle("show-marks", "hide-marks");
  toggle("show-edges", "hide-edges");
})();
