//! The privacy choices: loads the consent configuration with its words in the visitor's language
//! (`labels=1`: the widget embeds no table of them), shows the `Dialog`, records a decision at the
//! edge first and then hands it to the loader, which stores and applies it. Nothing is decided by
//! closing, and Escape never accepts.

use super::dialog::Dialog;
use crate::bridge::{post_consent_to_host, post_to_host, Embedding, HostState, ToHost};
use shared::consent::{Choices, ConsentConfig, ConsentRequest, Decision, Method};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConsentViewProps {
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
pub fn language_tags(page: &str) -> String {
    let browser = web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|a| a.iter().filter_map(|v| v.as_string()).collect::<Vec<_>>());
    std::iter::once(page.to_owned())
        .chain(browser.unwrap_or_default())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

#[function_component(ConsentView)]
pub fn consent_view(props: &ConsentViewProps) -> Html {
    let config = use_state(|| None::<Rc<ConsentConfig>>);
    let current = props.state.consent.as_ref().map(|s| s.record.choices);
    let failed = use_state(|| false);
    {
        let config = config.clone();
        let path = format!(
            "/api/v1/sites/{}/consent-config?labels=1&lang={}",
            props.embedding.site,
            language_tags(&props.state.lang)
        );
        use_effect_with(path, move |path| {
            let path = path.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(c) = client::http::get_json(&path, ConsentConfig::from_json).await {
                    config.set(Some(Rc::new(c)));
                }
            });
        });
    }
    let Some(config) = (*config).clone() else { return html! {} };
    let gpc = gpc() || config.gpc;
    let ondecide = {
        let (embedding, token, failed) = (props.embedding.clone(), props.state.token.clone(), failed.clone());
        let (version, lang) = (config.policy_version, config.lang);
        Callback::from(move |(method, choices): (Method, Choices)| {
            let request = ConsentRequest {
                host: embedding.host.clone(),
                token: (!token.is_empty()).then(|| token.clone()),
                decision: Decision { policy_version: version, choices, method, lang, gpc },
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
    let host = props.embedding.host.clone();
    let onclose = Callback::from(move |()| post_to_host(&host, ToHost::Close));
    // Served by the edge, on this frame's own origin.
    let notice_url = format!("/privacy/{}", props.embedding.site);
    let your_data = Some((props.embedding.clone(), AttrValue::from(props.state.token.clone())));
    html! {
        <Dialog {config} initial={Choices::initial(current)} {gpc} failed={*failed}
            {ondecide} {onclose} {notice_url} {your_data} />
    }
}
