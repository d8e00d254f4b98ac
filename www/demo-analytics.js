// The demo shop's stand-in for an analytics tag: gated behind the "analytics" consent category
// on the demo page, so it runs only once the visitor allows analytics.
window.demoAnalyticsRuns = (window.demoAnalyticsRuns || 0) + 1;
document.documentElement.setAttribute('data-demo-analytics', 'on');
