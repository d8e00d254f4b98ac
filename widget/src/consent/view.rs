//! The banner (three buttons of equal weight) and the preferences (one switch per category).
//! A decision is recorded by the edge first, then handed to the loader, which stores and applies
//! it; nothing is decided by closing, and Escape never accepts.

use super::labels::{labels, Labels};
use crate::bridge::{post_consent_to_host, post_to_host, Embedding, HostState, ToHost};
use shared::consent::{Category, Choices, ConsentConfig, ConsentRequest, Decision, Method};
use yew::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Banner,
    Preferences,
}

#[derive(Properties, PartialEq)]
pub struct ConsentViewProps {
    pub mode: Mode,
    pub embedding: Embedding,
    pub state: HostState,
}

/// Whether the browser sends Global Privacy Control.
fn gpc() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"globalPrivacyControl".into()).ok())
        .is_some_and(|v| v.as_bool() == Some(true))
}

/// The page's language first, then the browser's.
fn language_tags(page: &str) -> String {
    let browser = web_sys::window().map(|w| w.navigator().languages()).map(|a| a.iter().filter_map(|v| v.as_string()).collect::<Vec<_>>());
    std::iter::once(page.to_owned()).chain(browser.unwrap_or_default()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(",")
}

#[function_component(ConsentView)]
pub fn consent_view(props: &ConsentViewProps) -> Html {
    let config = use_state(|| None::<ConsentConfig>);
    let current = props.state.consent.as_ref().map(|s| s.record.choices);
    let choices = use_state(|| Choices::initial(current));
    let failed = use_state(|| false);
    {
        let config = config.clone();
        let path = format!("/api/v1/sites/{}/consent-config?lang={}", props.embedding.site, language_tags(&props.state.lang));
        use_effect_with(path, move |path| {
            let path = path.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(c) = client::http::get::<ConsentConfig>(&path).await {
                    config.set(Some(c));
                }
            });
        });
    }
    // The banner tells the loader how tall it is, so the iframe fits it at any width or zoom.
    {
        let host = props.embedding.host.clone();
        let banner = props.mode == Mode::Banner;
        use_effect(move || {
            if banner {
                let height = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector("[role=dialog]").ok().flatten())
                    .map_or(0, |el| el.scroll_height());
                if height > 0 {
                    post_to_host(&host, ToHost::Size { height });
                }
            }
        });
    }
    let Some(config) = (*config).clone() else { return html! {} };
    let l = labels(config.lang);
    let decide = {
        let (embedding, token, failed) = (props.embedding.clone(), props.state.token.clone(), failed.clone());
        let (version, lang, header_gpc) = (config.policy_version, config.lang, config.gpc);
        Callback::from(move |(method, choices): (Method, Choices)| {
            let request = ConsentRequest {
                host: embedding.host.clone(),
                token: (!token.is_empty()).then(|| token.clone()),
                decision: Decision { policy_version: version, choices, method, lang, gpc: gpc() || header_gpc },
            };
            let (embedding, failed) = (embedding.clone(), failed.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let path = format!("/api/v1/sites/{}/consent", embedding.site);
                match client::http::post_passing_through(&path, &request).await {
                    Ok(stored) => post_consent_to_host(&embedding.host, &stored),
                    Err(_) => failed.set(true),
                }
            });
        })
    };
    let accept = {
        let decide = decide.clone();
        Callback::from(move |_: MouseEvent| decide.emit((Method::AcceptAll, Choices::all())))
    };
    let reject = {
        let decide = decide.clone();
        Callback::from(move |_: MouseEvent| decide.emit((Method::RejectAll, Choices::none())))
    };
    let host = props.embedding.host.clone();
    let onkeydown = {
        let (host, mode) = (host.clone(), props.mode);
        Callback::from(move |e: KeyboardEvent| {
            // Escape closes the preferences without deciding anything; on the banner it does nothing.
            if e.key() == "Escape" && mode == Mode::Preferences {
                post_to_host(&host, ToHost::Close);
            }
        })
    };
    let gpc_on = gpc() || config.gpc;
    let gpc_notice = gpc_on.then(|| html! { <p class="pvx-gpc">{ l.gpc }</p> });
    let error = failed.then(|| html! { <p class="pvx-error" role="alert">{ l.failed }</p> });
    let policy = html! { <a href={config.policy_url.clone()} target="_blank" rel="noopener">{ l.policy }</a> };

    match props.mode {
        Mode::Banner => {
            let customize = Callback::from(move |_: MouseEvent| post_to_host(&host, ToHost::View { view: "prefs" }));
            html! {
                <section class="pvx-consent pvx-banner" role="dialog" aria-modal="false" tabindex="-1"
                    aria-labelledby="pvx-consent-title" aria-describedby="pvx-consent-text" {onkeydown}>
                    <div class="pvx-consent-text">
                        <h2 id="pvx-consent-title">{ &config.text.title }</h2>
                        <p id="pvx-consent-text">{ &config.text.text }{ " " }{ policy }</p>
                        { for gpc_notice }
                        { for error }
                    </div>
                    <div class="pvx-actions">
                        <button onclick={accept}>{ l.accept_all }</button>
                        <button onclick={reject}>{ l.reject_all }</button>
                        <button onclick={customize}>{ l.customize }</button>
                    </div>
                </section>
            }
        }
        Mode::Preferences => {
            let save = {
                let (decide, choices) = (decide.clone(), choices.clone());
                Callback::from(move |_: MouseEvent| decide.emit((Method::Custom, *choices)))
            };
            let close = Callback::from(move |_: MouseEvent| post_to_host(&host, ToHost::Close));
            html! {
                <section class="pvx-consent pvx-prefs" role="dialog" aria-modal="true" tabindex="-1"
                    aria-labelledby="pvx-consent-title" {onkeydown}>
                    <header>
                        <h2 id="pvx-consent-title">{ l.preferences }</h2>
                        <button class="pvx-x" aria-label={l.close} title={l.close} onclick={close}>{ "×" }</button>
                    </header>
                    <p>{ &config.text.text }{ " " }{ policy }</p>
                    { for gpc_notice }
                    <ul class="pvx-categories">
                        { category_switch("necessary", &config.text.necessary.name, &config.text.necessary.description, true, None, l) }
                        { for config.categories.iter().map(|&c| {
                            let text = config.text.category(c);
                            let toggle = {
                                let choices = choices.clone();
                                Callback::from(move |_: Event| {
                                    let mut next = *choices;
                                    next.set(c, !next.get(c));
                                    choices.set(next);
                                })
                            };
                            category_switch(category_id(c), &text.name, &text.description, choices.get(c), Some(toggle), l)
                        }) }
                    </ul>
                    { for error }
                    <div class="pvx-actions">
                        <button onclick={reject}>{ l.reject_all }</button>
                        <button onclick={accept}>{ l.accept_all }</button>
                        <button onclick={save}>{ l.save }</button>
                    </div>
                </section>
            }
        }
    }
}

fn category_id(c: Category) -> &'static str {
    match c {
        Category::Preferences => "preferences",
        Category::Analytics => "analytics",
        Category::Marketing => "marketing",
    }
}

/// One category: a switch labelled with its name and described by its description. Necessary
/// is shown on and locked.
fn category_switch(id: &str, name: &str, description: &str, on: bool, onchange: Option<Callback<Event>>, l: &Labels) -> Html {
    let (input, desc) = (format!("pvx-c-{id}"), format!("pvx-c-{id}-d"));
    let locked = onchange.is_none();
    html! {
        <li class="pvx-category">
            <div class="pvx-category-head">
                <label for={input.clone()}>{ name }</label>
                if locked { <span class="pvx-always">{ l.always_on }</span> }
                <input id={input} type="checkbox" role="switch" checked={on} disabled={locked}
                    aria-describedby={desc.clone()} {onchange} />
            </div>
            <p id={desc}>{ description }</p>
        </li>
    }
}
