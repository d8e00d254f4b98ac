//! The consent banner as visitors first meet it: markup the edge renders from the same texts the
//! widget's privacy choices use (the owner's `BannerText` and `shared::consent_labels`), sent with
//! the consent configuration in the banner's script (`banner_script`, `GET
//! /api/v1/sites/SITE/banner.js`; also `consent-config?banner=1`). The loader's `www/banner.js`
//! puts it in the loader's shadow root, styles it and wires its three buttons, so a first visit
//! loads no WASM.
//!
//! Every owner text is escaped here. The markup carries no inline handlers, scripts or styles
//! (the host page's CSP may forbid them): `banner.js` attaches the listeners, and it finds the
//! buttons by their `value` (`accept_all`, `reject_all`, `customize`).

use crate::pages::escape_html;
use shared::consent::ConsentConfig;
use shared::consent_labels::labels;

/// The banner in the configuration's language. `notice_url` is the absolute address of the
/// notice the edge generates from the site's settings (`EDGE/privacy/SITE`): the banner lives on
/// the host page, where a relative link would point at the site itself.
///
/// A non-modal dialog named by its title and described by its text, with the owner's policy and
/// the notice linked in new tabs, the Global Privacy Control notice (shown when the request sent
/// `Sec-GPC`; `banner.js` shows it too when the page's `navigator.globalPrivacyControl` says so),
/// an error line for a decision that could not be saved, and three buttons of equal weight.
pub fn banner_html(config: &ConsentConfig, notice_url: &str) -> String {
    let l = labels(config.lang);
    let e = escape_html;
    // Settings only accept http(s) links; a stored value from before that check, or anything
    // else, is left out rather than linked on someone else's page (a `javascript:` link would run
    // there).
    let policy = if is_web_link(&config.policy_url) {
        format!(r#"<a href="{}" target="_blank" rel="noopener">{}</a> · "#, e(&config.policy_url), e(&l.policy))
    } else {
        String::new()
    };
    let gpc_hidden = if config.gpc { "" } else { " hidden" };
    format!(
        concat!(
            r#"<section class="pvx-banner" role="dialog" aria-modal="false" tabindex="-1" lang="{lang}" "#,
            r#"aria-labelledby="pvx-title" aria-describedby="pvx-text">"#,
            r#"<div class="pvx-words"><h2 id="pvx-title">{title}</h2>"#,
            r#"<p id="pvx-text">{text} {policy}<a href="{notice_url}" target="_blank" rel="noopener">{notice}</a></p>"#,
            r#"<p class="pvx-gpc"{gpc_hidden}>{gpc}</p>"#,
            r#"<p class="pvx-error" role="alert" hidden>{failed}</p></div>"#,
            r#"<div class="pvx-actions">"#,
            r#"<button type="button" value="accept_all">{accept}</button>"#,
            r#"<button type="button" value="reject_all">{reject}</button>"#,
            r#"<button type="button" value="customize">{customize}</button>"#,
            r#"</div></section>"#
        ),
        lang = config.lang.code(),
        title = e(&config.text.title),
        text = e(&config.text.text),
        policy = policy,
        notice_url = e(notice_url),
        notice = e(&l.notice),
        gpc_hidden = gpc_hidden,
        gpc = e(&l.gpc),
        failed = e(&l.failed),
        accept = e(&l.accept_all),
        reject = e(&l.reject_all),
        customize = e(&l.customize),
    )
}

fn is_web_link(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(char::is_whitespace)
}

/// The banner's script for one page (`GET /api/v1/sites/SITE/banner.js`): hands the configuration
/// (JSON, `config_json`, with the markup) to the loader, then runs `banner.js` (`code`), which
/// draws it. The loader keeps `__provixchat.g` for this; on a page without the loader the call is
/// skipped and `banner.js` returns at once. JSON is a JavaScript expression, and the answer is a
/// script of its own (not inline), so no escaping beyond JSON's is needed.
pub fn banner_script(config_json: &str, code: &str) -> String {
    format!("(P=>P&&P.g&&P.g({config_json}))(window.__provixchat);\n{code}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent_defaults::default_consent;
    use shared::consent::Lang;

    fn config(lang: Lang) -> ConsentConfig {
        let settings = default_consent("https://shop.example/privacy");
        ConsentConfig {
            gpc: false,
            policy_url: settings.policy_url.clone(),
            policy_version: 1,
            lifetime_days: 365,
            lang,
            categories: settings.categories.clone(),
            text: settings.text(lang).unwrap().clone(),
            launcher: Default::default(),
            banner: None,
            labels: None,
            launcher_labels: None,
        }
    }

    const NOTICE: &str = "https://edge.example/privacy/shop";

    /// Every start tag's attribute names, in order of appearance.
    fn attribute_names(html: &str) -> Vec<String> {
        html.split('<')
            .skip(1)
            .filter(|t| !t.starts_with('/'))
            .filter_map(|t| t.split_once('>').map(|(tag, _)| tag))
            .flat_map(|tag| {
                // Attribute values are double-quoted and hold no `"` (they are escaped).
                let outside: String = tag.split('"').step_by(2).collect::<Vec<_>>().join(" ");
                outside
                    .split_whitespace()
                    .skip(1)
                    .map(|a| a.split('=').next().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn the_banner_is_a_named_dialog_with_three_equal_buttons_in_each_language() {
        for lang in Lang::ALL {
            let c = config(lang);
            let html = banner_html(&c, NOTICE);
            let l = labels(lang);
            assert!(html.starts_with(&format!(
                r#"<section class="pvx-banner" role="dialog" aria-modal="false" tabindex="-1" lang="{}""#,
                lang.code()
            )));
            assert!(html.contains(r#"aria-labelledby="pvx-title""#) && html.contains(r#"<h2 id="pvx-title">"#));
            assert!(html.contains(&escape_html(&c.text.title)), "{lang:?}: the owner's title");
            assert!(html.contains(&escape_html(&c.text.text)), "{lang:?}: the owner's text");
            // Equal weight: the same markup for all three, only the value and the words differ.
            for (value, name) in
                [("accept_all", &l.accept_all), ("reject_all", &l.reject_all), ("customize", &l.customize)]
            {
                assert!(
                    html.contains(&format!(r#"<button type="button" value="{value}">{}</button>"#, escape_html(name))),
                    "{lang:?} {value}"
                );
            }
            assert_eq!(html.matches("<button").count(), 3);
            assert!(html.contains(&format!(
                r#"<a href="https://shop.example/privacy" target="_blank" rel="noopener">{}</a>"#,
                escape_html(&l.policy)
            )));
            assert!(html.contains(&format!(
                r#"<a href="{NOTICE}" target="_blank" rel="noopener">{}</a>"#,
                escape_html(&l.notice)
            )));
        }
        assert!(banner_html(&config(Lang::De), NOTICE).contains(">Alle ablehnen<"), "German words");
    }

    #[test]
    fn the_gpc_notice_shows_when_the_request_sent_the_signal() {
        let mut c = config(Lang::En);
        assert!(banner_html(&c, NOTICE).contains(r#"<p class="pvx-gpc" hidden>"#));
        c.gpc = true;
        let html = banner_html(&c, NOTICE);
        assert!(html.contains(r#"<p class="pvx-gpc">Your browser sends a Global Privacy Control signal"#), "{html}");
    }

    #[test]
    fn owner_texts_are_escaped_and_only_web_links_are_linked() {
        let mut c = config(Lang::En);
        c.text.title = r#"<img src=x onerror="alert(1)">"#.into();
        c.text.text = "Tom & Jerry's <script>alert(2)</script>".into();
        c.policy_url = r#"https://x.example/"><script>alert(3)</script>"#.into();
        let html = banner_html(&c, NOTICE);
        assert!(!html.contains("<img") && !html.contains("<script"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
        assert!(html.contains("Tom &amp; Jerry&#39;s &lt;script&gt;"));
        assert!(html.contains(r#"href="https://x.example/&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;""#));
        for url in ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,hi", "", "https://a b"] {
            c.policy_url = url.into();
            let html = banner_html(&c, NOTICE);
            assert_eq!(html.matches("<a ").count(), 1, "{url:?}: only the notice is linked");
        }
    }

    #[test]
    fn no_inline_handlers_scripts_or_styles() {
        let mut c = config(Lang::Fr);
        c.gpc = true;
        c.text.title = r#"x" onclick="alert(1)"#.into();
        let html = banner_html(&c, NOTICE);
        let names = attribute_names(&html);
        assert!(names.iter().any(|n| n == "aria-labelledby"), "the helper reads attributes: {names:?}");
        assert!(names.iter().all(|n| !n.starts_with("on") && n != "style"), "{names:?}");
        assert!(!html.contains("<script") && !html.contains("<style"));
    }

    #[test]
    fn the_script_hands_the_configuration_to_the_loader_before_the_banner_code() {
        let mut c = config(Lang::En);
        c.text.title = "Nous \"aimons\" </script>\u{2028}".into();
        c.banner = Some(banner_html(&c, NOTICE));
        let json = serde_json::to_string(&c).unwrap();
        let script = banner_script(&json, "/*banner.js*/");
        let (call, code) = script.split_once('\n').unwrap();
        assert_eq!(code, "/*banner.js*/");
        let arg =
            call.strip_prefix("(P=>P&&P.g&&P.g(").and_then(|a| a.strip_suffix("))(window.__provixchat);")).unwrap();
        // The owner's text cannot end the call early: the argument is exactly the JSON.
        let back: ConsentConfig = serde_json::from_str(arg).unwrap();
        assert_eq!(back.text.title, c.text.title);
        assert_eq!(back.banner, c.banner);
    }
}
