/* The EMC monitoring code (Hệ thống giám sát, đo lường mức độ cung cấp và sử dụng dịch vụ Chính
   phủ số), loaded only in production where the province's profile gives its site code
   (frontend/templatetags/look.py). It queues the page view for the EMC script, then loads it. */
(function () {
  var tag = document.currentScript;
  if (!tag) {
    return;
  }
  var source = tag.getAttribute("data-emc-script");
  var site = tag.getAttribute("data-emc-site");
  if (!source || !site) {
    return;
  }
  var queue = (window._govaq = window._govaq || []);
  queue.push(["trackPageView"]);
  queue.push(["enableLinkTracking"]);
  queue.push(["setTrackerUrl", new URL("/tracking", source).href]);
  queue.push(["setSiteId", site]);
  var script = document.createElement("script");
  script.async = true;
  script.src = source;
  document.head.appendChild(script);
})();
