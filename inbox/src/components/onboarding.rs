use super::{copy_field::CopyField, field::Field, save_status::SaveStatus};
use crate::forms::{domains_text, parse_domains, snippet};
use shared::api::{WorkspaceRef, WorkspaceSettings};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OnboardingProps {
    pub workspace: WorkspaceRef,
    pub ondone: Callback<()>,
}

/// Right after sign-up: the three things between a new workspace and a first chat: paste the
/// snippet, allow the site's domains, try the widget. Everything here can be changed later in
/// Settings, so "Go to inbox" is always available.
#[function_component(Onboarding)]
pub fn onboarding(props: &OnboardingProps) -> Html {
    let site = props.workspace.id.to_string();
    let base = format!("/api/v1/workspaces/{site}");
    let domains = use_state(String::new);
    let status = use_state(|| None::<Result<String, String>>);
    let busy = use_state(|| false);
    {
        // Sign-up made the website the first allowed domain; show it.
        let (domains, base) = (domains.clone(), base.clone());
        use_effect_with(base, move |base| {
            let base = base.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(s) = client::http::get_json(&format!("{base}/settings"), WorkspaceSettings::from_json).await {
                    domains.set(domains_text(&s.allowed_domains));
                }
            });
        });
    }
    let oninput = {
        let (domains, status) = (domains.clone(), status.clone());
        Callback::from(move |e: InputEvent| {
            domains.set(crate::browser::value(&e));
            status.set(None);
        })
    };
    let onsubmit = {
        let (domains, status, busy, base) = (domains.clone(), status.clone(), busy.clone(), base.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (domains, status, busy, base) = (domains.clone(), status.clone(), busy.clone(), base.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                // Read the settings again just before writing, so only the domains change.
                let path = format!("{base}/settings");
                let result = match client::http::get_json(&path, WorkspaceSettings::from_json).await {
                    Ok(current) => {
                        let next = WorkspaceSettings { allowed_domains: parse_domains(&domains), ..current };
                        client::http::put_json(&path, &next, WorkspaceSettings::from_json).await
                    }
                    Err(e) => Err(e),
                };
                match result {
                    Ok(saved) => {
                        domains.set(domains_text(&saved.allowed_domains));
                        status.set(Some(Ok("Domains saved".into())));
                    }
                    Err(e) => status.set(Some(Err(e.message))),
                }
                busy.set(false);
            });
        })
    };
    let ondone = props.ondone.reform(|_: MouseEvent| ());
    html! {
        <main class="onboarding">
            <div class="card">
                <p class="eyebrow">{ format!("{} is ready", props.workspace.name) }</p>
                <h1>{ "Add Provixchat to your site" }</h1>
                <ol class="steps">
                    <li>
                        <h2>{ "Paste the snippet" }</h2>
                        <p class="hint">{ "Add it to every page where the chat should appear, just before " }<code>{ "</body>" }</code>{ "." }</p>
                        <CopyField id="ob-snippet" label="Your snippet" value={snippet(&crate::browser::origin(), &props.workspace.id)} button="Copy snippet" multiline=true />
                    </li>
                    <li>
                        <h2>{ "Allow your domains" }</h2>
                        <form class="stack" {onsubmit}>
                            <Field id="ob-domains" label="Allowed domains" hint="One per line. The chat only opens on these sites.">
                                <textarea id="ob-domains" rows="3" spellcheck="false" value={(*domains).clone()} {oninput}
                                    placeholder="shop.example" aria-describedby="ob-domains-hint" />
                            </Field>
                            <div class="actions">
                                <button type="submit" class="secondary" disabled={*busy}>{ "Save domains" }</button>
                                <SaveStatus status={(*status).clone()} />
                            </div>
                        </form>
                    </li>
                    <li>
                        <h2>{ "Try it" }</h2>
                        <p class="hint">{ "Open a preview page with your widget and send yourself a message; it arrives in your inbox." }</p>
                        <a class="button secondary" href={format!("/preview/{site}")} target="_blank" rel="noopener">
                            { "Test your widget" }<span aria-hidden="true">{ " ↗" }</span>
                        </a>
                    </li>
                </ol>
                <div class="actions end">
                    <button type="button" class="primary" onclick={ondone}>{ "Go to inbox" }</button>
                </div>
            </div>
        </main>
    }
}
