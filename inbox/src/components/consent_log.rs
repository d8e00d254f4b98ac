use crate::visitor_text::{allowed_categories, consent_method};
use shared::api::WorkspaceRef;
use shared::consent::{ConsentRecord, ConsentSettings};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConsentLogProps {
    pub workspace: WorkspaceRef,
}

/// The site's consent log — the proof of every visitor's decision — with a CSV export, and the
/// consent settings that matter most: the policy version (bumping it asks everyone again) and
/// how long a decision holds.
#[function_component(ConsentLog)]
pub fn consent_log(props: &ConsentLogProps) -> Html {
    let records = use_state(|| None::<Vec<ConsentRecord>>);
    let settings = use_state(|| None::<ConsentSettings>);
    let message = use_state(|| None::<String>);
    let base = format!("/api/v1/workspaces/{}", props.workspace.id);
    {
        let (records, settings, base) = (records.clone(), settings.clone(), base.clone());
        use_effect_with(base, move |base| {
            let base = base.clone();
            wasm_bindgen_futures::spawn_local(async move {
                records.set(
                    client::http::get_json(&format!("{base}/consents"), |v| {
                        shared::json::api::list_of(v, ConsentRecord::from_json)
                    })
                    .await
                    .ok(),
                );
                settings.set(
                    client::http::get_json(&format!("{base}/consent-settings"), ConsentSettings::from_json).await.ok(),
                );
            });
        });
    }
    let bump = {
        let (settings, message, base) = (settings.clone(), message.clone(), base.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(current) = (*settings).clone() else { return };
            let next = ConsentSettings { policy_version: current.policy_version + 1, ..current };
            let (settings, message, base) = (settings.clone(), message.clone(), base.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::put_json(&format!("{base}/consent-settings"), &next, ConsentSettings::from_json)
                    .await
                {
                    Ok(saved) => {
                        message.set(Some(format!(
                            "Policy version {} is live: every visitor is asked again.",
                            saved.policy_version
                        )));
                        settings.set(Some(saved));
                    }
                    Err(e) => message.set(Some(e.message)),
                }
            });
        })
    };
    html! {
        <section class="consent-log" aria-label="Consent log">
            <header>
                <h2>{ "Consent log" }</h2>
                <a class="button" href={format!("{base}/consents?format=csv")} download="">{ "Export CSV" }</a>
            </header>
            if let Some(s) = &*settings {
                <p class="settings">
                    { format!("Policy version {} · decisions hold {} days · ", s.policy_version, s.lifetime_days) }
                    <a href={s.policy_url.clone()} target="_blank" rel="noopener">{ "privacy policy" }</a>
                    if props.workspace.can_manage() {
                        { " · " }<button onclick={bump}>{ "Ask everyone again" }</button>
                    }
                </p>
            }
            if let Some(text) = &*message {
                <p role="status">{ text }</p>
            }
            { match &*records {
                None => html! { <p role="status">{ "Loading…" }</p> },
                Some(list) if list.is_empty() => html! { <p class="empty">{ "No decisions yet." }</p> },
                Some(list) => html! {
                    <table>
                        <thead><tr>
                            <th scope="col">{ "Decided" }</th><th scope="col">{ "Visitor (hash)" }</th><th scope="col">{ "Policy" }</th>
                            <th scope="col">{ "Choice" }</th><th scope="col">{ "Allowed" }</th><th scope="col">{ "Language" }</th><th scope="col">{ "GPC" }</th>
                        </tr></thead>
                        <tbody>{ for list.iter().map(row) }</tbody>
                    </table>
                },
            } }
        </section>
    }
}

fn row(r: &ConsentRecord) -> Html {
    let d = &r.decision;
    let method = consent_method(d.method);
    let allowed = allowed_categories(&d.choices);
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(r.at as f64));
    html! {
        <tr>
            <td>{ String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)) }</td>
            <td><code>{ &r.visitor_hash[..12.min(r.visitor_hash.len())] }</code></td>
            <td>{ d.policy_version }</td>
            <td>{ method }</td>
            <td>{ if allowed.is_empty() { "necessary only".to_owned() } else { allowed.join(", ") } }</td>
            <td>{ d.lang.code() }</td>
            <td>{ if d.gpc { "yes" } else { "no" } }</td>
        </tr>
    }
}
