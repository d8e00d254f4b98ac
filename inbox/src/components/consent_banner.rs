use super::{field::Field, save_status::SaveStatus};
use shared::consent::ConsentSettings;
use shared::SiteId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConsentBannerProps {
    pub site: SiteId,
}

/// The consent banner's policy link, version and lifetime. The rest of the consent settings
/// (categories, texts, language) is sent back exactly as fetched, so this form cannot undo
/// changes made elsewhere. Shown to owners and admins only.
#[function_component(ConsentBanner)]
pub fn consent_banner(props: &ConsentBannerProps) -> Html {
    let path = format!("/api/v1/workspaces/{}/consent-settings", props.site);
    let fetched = use_state(|| None::<Result<ConsentSettings, String>>);
    let (url, version, days) = (use_state(String::new), use_state(String::new), use_state(String::new));
    let status = use_state(|| None::<Result<String, String>>);
    let show = {
        let (fetched, url, version, days) = (fetched.clone(), url.clone(), version.clone(), days.clone());
        move |s: ConsentSettings| {
            url.set(s.policy_url.clone());
            version.set(s.policy_version.to_string());
            days.set(s.lifetime_days.to_string());
            fetched.set(Some(Ok(s)));
        }
    };
    {
        let (show, fetched) = (show.clone(), fetched.clone());
        use_effect_with(path.clone(), move |path| {
            let path = path.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::get_json(&path, ConsentSettings::from_json).await {
                    Ok(s) => show(s),
                    Err(e) => fetched.set(Some(Err(e.message))),
                }
            });
        });
    }
    let onsubmit = {
        let (fetched, url, version, days, status) =
            (fetched.clone(), url.clone(), version.clone(), days.clone(), status.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(Ok(current)) = (*fetched).clone() else { return };
            let (Ok(policy_version), Ok(lifetime_days)) = (version.trim().parse::<u32>(), days.trim().parse::<u32>())
            else {
                status.set(Some(Err("Policy version and consent lifetime must be whole numbers.".into())));
                return;
            };
            let next = ConsentSettings { policy_url: url.trim().to_owned(), policy_version, lifetime_days, ..current };
            let (show, status, path) = (show.clone(), status.clone(), path.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::put_json(&path, &next, ConsentSettings::from_json).await {
                    Ok(saved) => {
                        show(saved);
                        status.set(Some(Ok("Consent settings saved".into())));
                    }
                    Err(e) => status.set(Some(Err(e.message))),
                }
            });
        })
    };
    let input = |state: &UseStateHandle<String>| {
        let (state, status) = (state.clone(), status.clone());
        Callback::from(move |e: InputEvent| {
            state.set(crate::browser::value(&e));
            status.set(None);
        })
    };
    let body = match &*fetched {
        None => html! { <p role="status">{ "Loading consent settings…" }</p> },
        Some(Err(message)) => html! { <p class="error" role="alert">{ message }</p> },
        Some(Ok(_)) => html! {
            <form {onsubmit}>
                <fieldset class="plain">
                    <Field id="cb-policy-url" label="Privacy policy link">
                        <input id="cb-policy-url" type="url" value={(*url).clone()} oninput={input(&url)} placeholder="https://shop.example/privacy" required=true />
                    </Field>
                    <div class="grid">
                        <Field id="cb-version" label="Policy version" hint="Raise it when the policy changes: every visitor is asked again.">
                            <input id="cb-version" type="number" min="1" step="1" inputmode="numeric" aria-describedby="cb-version-hint"
                                value={(*version).clone()} oninput={input(&version)} required=true />
                        </Field>
                        <Field id="cb-days" label="Consent lasts (days)" hint="After this, visitors are asked again. 365 is common.">
                            <input id="cb-days" type="number" min="1" step="1" inputmode="numeric" aria-describedby="cb-days-hint"
                                value={(*days).clone()} oninput={input(&days)} required=true />
                        </Field>
                    </div>
                    <div class="save-bar">
                        <button type="submit" class="secondary">{ "Save consent settings" }</button>
                        <SaveStatus status={(*status).clone()} />
                    </div>
                </fieldset>
            </form>
        },
    };
    html! {
        <section class="card" aria-labelledby="consent-banner-title">
            <h3 id="consent-banner-title">{ "Consent banner" }</h3>
            <p class="hint">{ "The cookie banner on your site. Visitors' decisions are in the consent log." }</p>
            { body }
        </section>
    }
}
