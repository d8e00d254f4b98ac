//! Headers and small pages the edge writes itself: the Content-Security-Policy of the embed and
//! inbox pages, and the demo host page.

use shared::AllowedDomain;

/// CSP of the inbox. WASM needs `'wasm-unsafe-eval'`, nothing needs inline script, and no site may
/// frame it (clickjacking).
pub const INBOX_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// CSP of the widget's iframe page: as strict as the inbox, and only the site's allowed domains may
/// frame it, so a page that is not allowed never shows it even if it lies about its origin.
pub fn embed_csp(allowed: &[AllowedDomain]) -> String {
    // 'self': the edge's own preview page shows owners their widget.
    let ancestors: Vec<String> =
        std::iter::once("'self'".to_owned()).chain(allowed.iter().flat_map(|d| frame_sources(d.as_str()))).collect();
    let ancestors = ancestors.join(" ");
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors {ancestors}; base-uri 'none'; form-action 'none'"
    )
}

/// CSP of the widget preview: the loader from our own origin, no inline script. Inline styles
/// are allowed because the loader styles its launcher with a `<style>` in its shadow root (as on
/// the customer's site); without them owners would preview an unstyled launcher.
pub const PREVIEW_CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// CSP of the demo page, which stands for a customer's site: scripts only from the page's own
/// origin and the edge's, never a plugin, a `<base>` or a frame around it. Inline scripts and
/// styles stay allowed because the sites it stands for have them (tag-manager snippets the
/// loader gates by consent, and the loader's own launcher styles).
pub fn demo_csp(edge_origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {edge_origin} 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self' {edge_origin}; frame-src {edge_origin}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The "test your widget" page: the site's real snippet on a page of the edge's own origin.
pub fn preview_page(edge_origin: &str, site: &str, name: &str) -> String {
    let (edge, site, name) = (escape_html(edge_origin), escape_html(site), escape_html(name));
    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Widget preview — {name}</title>
<link rel="stylesheet" href="/demo.css">
</head>
<body>
<main>
<h1>Your widget, live</h1>
<p>This page runs the snippet of <strong>{name}</strong> exactly as your site will. Open the chat in
the corner and send a message: it arrives in your inbox. The privacy banner is the one your visitors see.</p>
<pre><code>&lt;script src="{edge}/widget.js" data-site="{site}" defer&gt;&lt;/script&gt;</code></pre>
</main>
<script src="{edge}/widget.js" data-site="{site}" defer></script>
</body>
</html>
"##
    )
}

/// A whole page of the edge's own: `title` and `body` already escaped, the stylesheets by path.
/// Not for search engines (owners' pages and documents).
pub fn document(title: &str, stylesheets: &[&str], body: &str) -> String {
    let links: String = stylesheets.iter().map(|href| format!("<link rel=\"stylesheet\" href=\"{href}\">\n")).collect();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>{title}</title>\n{links}</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
}

/// CSP sources for one allowed domain, mirroring [`AllowedDomain::allows_origin`]: https on any
/// port, plus plain http for loopback hosts.
fn frame_sources(domain: &str) -> Vec<String> {
    let mut sources = vec![format!("https://{domain}:*")];
    if domain == "localhost" || domain == "127.0.0.1" {
        sources.push(format!("http://{domain}:*"));
    }
    sources
}

/// Escapes text for an HTML text node or a double-quoted attribute.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A small shop page that carries the snippet exactly as a site owner pastes it, loading the
/// loader from `edge_origin` (a different origin from the page's own, as on a real site).
/// `lang` is the page's `<html lang>`; `None` leaves it out, as some sites do, so the banner
/// follows the browser's languages.
pub fn demo_page(edge_origin: &str, site: &str, lang: Option<shared::consent::Lang>) -> String {
    let edge = escape_html(edge_origin);
    let site = escape_html(site);
    let lang = lang.map(|l| format!(" lang=\"{}\"", l.code())).unwrap_or_default();
    format!(
        r##"<!doctype html>
<html{lang}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Demo Shop — Provixchat demo</title>
<link rel="stylesheet" href="/demo.css">
</head>
<body>
<header><strong>Demo Shop</strong><nav><a href="/demo">Home</a> <a href="/demo?page=shipping">Shipping</a></nav></header>
<main>
<h1>Handmade ceramics, shipped across Europe</h1>
<p>This page stands for a customer's website. The chat launcher in the corner comes from the
Provixchat snippet below, loaded from <code>{edge}</code>.</p>
<pre><code>&lt;script src="{edge}/widget.js" data-site="{site}" defer&gt;&lt;/script&gt;</code></pre>
<p>Its privacy choices gate the shop's own scripts: the analytics tag below is written as
<code>&lt;script type="text/plain" data-consent="analytics" src="/demo-analytics.js"&gt;</code>
and runs only once analytics is allowed. <span id="consent-state">No decision yet.</span></p>
</main>
<footer><a href="/demo?page=privacy">Privacy policy</a> · <a href="#" id="cookie-settings">Cookie settings</a></footer>
<script type="text/plain" data-consent="analytics" src="/demo-analytics.js"></script>
<script src="/demo.js"></script>
<script src="{edge}/widget.js" data-site="{site}" defer></script>
</body>
</html>
"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_csp_lists_only_allowed_ancestors() {
        let allowed = [AllowedDomain::parse("shop.example").unwrap(), AllowedDomain::parse("localhost").unwrap()];
        let csp = embed_csp(&allowed);
        assert!(
            csp.contains("frame-ancestors 'self' https://shop.example:* https://localhost:* http://localhost:*;"),
            "{csp}"
        );
        assert!(!csp.contains("http://shop.example"));
        assert!(embed_csp(&[]).contains("frame-ancestors 'self';"), "only the edge's own preview page");
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn the_demo_page_loads_scripts_only_from_its_origin_and_the_edge() {
        let csp = demo_csp("http://localhost:8787");
        assert!(csp.contains("script-src 'self' http://localhost:8787 'unsafe-inline';"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{csp}");
    }

    #[test]
    fn preview_page_escapes_the_workspace_name() {
        let page = preview_page("http://127.0.0.1:8787", "demo", "<Shop & Co>");
        assert!(page.contains("&lt;Shop &amp; Co&gt;"));
        assert!(page.contains(r#"<script src="http://127.0.0.1:8787/widget.js" data-site="demo" defer></script>"#));
    }

    #[test]
    fn demo_page_carries_the_snippet() {
        let page = demo_page("http://localhost:8787", "demo", Some(shared::consent::Lang::En));
        assert!(page.contains(r#"<script src="http://localhost:8787/widget.js" data-site="demo" defer></script>"#));
        assert!(demo_page("x", "<b>", None).contains("&lt;b&gt;"));
    }
}
