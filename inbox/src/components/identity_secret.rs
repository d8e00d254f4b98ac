use super::copy_field::CopyField;
use shared::api::IdentitySecret;
use shared::SiteId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IdentitySecretProps {
    pub site: SiteId,
}

/// The key a site's server signs its user ids with, so `Provixchat.identify` cannot be used to
/// pose as another user. Owners and admins only (the edge refuses it to agents): whoever holds it
/// can vouch for any user id.
#[function_component(IdentitySecretCard)]
pub fn identity_secret_card(props: &IdentitySecretProps) -> Html {
    let secret = use_state(|| None::<Result<String, String>>);
    // Replacing the secret breaks the site's hashes until its server has the new one: asked first.
    let confirming = use_state(|| false);
    let replaced = use_state(|| None::<Result<(), String>>);
    let onask = {
        let (confirming, replaced) = (confirming.clone(), replaced.clone());
        Callback::from(move |_| {
            replaced.set(None);
            confirming.set(true);
        })
    };
    let onkeep = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(false))
    };
    let onreplace = {
        let (secret, confirming, replaced, site) =
            (secret.clone(), confirming.clone(), replaced.clone(), props.site.clone());
        Callback::from(move |_| {
            let (secret, confirming, replaced) = (secret.clone(), confirming.clone(), replaced.clone());
            let path = format!("/api/v1/workspaces/{site}/identity-secret");
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::post_json(&path, &client::http::NoBody, IdentitySecret::from_json).await {
                    Ok(new) => {
                        secret.set(Some(Ok(new.secret)));
                        replaced.set(Some(Ok(())));
                    }
                    Err(e) => replaced.set(Some(Err(e.message))),
                }
                confirming.set(false);
            });
        })
    };
    {
        let secret = secret.clone();
        use_effect_with(props.site.clone(), move |site| {
            secret.set(None);
            let path = format!("/api/v1/workspaces/{site}/identity-secret");
            wasm_bindgen_futures::spawn_local(async move {
                secret.set(Some(
                    client::http::get_json(&path, IdentitySecret::from_json)
                        .await
                        .map(|s| s.secret)
                        .map_err(|e| e.message),
                ));
            });
        });
    }
    html! {
        <section class="card identity" aria-labelledby="identity-title">
            <h3 id="identity-title">{ "Identity verification" }</h3>
            <p class="hint">{ "When your site calls Provixchat.identify, your server proves the user id with a hash made from this \
                secret. Tick \u{201c}Verify identities\u{201d} above to refuse identities without it." }</p>
            { match &*secret {
                None => html! { <p role="status">{ "Loading the secret…" }</p> },
                Some(Err(message)) => html! { <p class="error" role="alert">{ message }</p> },
                Some(Ok(value)) => html! {
                    <CopyField id="identity-secret" label="Identity secret" value={value.clone()} button="Copy secret" />
                },
            } }
            { if *confirming {
                html! {
                    <div class="confirm" role="group" aria-labelledby="identity-replace-title">
                        <p id="identity-replace-title">{ "Replace the identity secret? Your server's hashes stop verifying until it \
                            uses the new secret, and visitors who were identified with the old one are identified again." }</p>
                        <button type="button" class="secondary danger" onclick={onreplace}>{ "Replace the secret" }</button>
                        <button type="button" class="secondary" onclick={onkeep}>{ "Keep the current one" }</button>
                    </div>
                }
            } else {
                html! {
                    <p>
                        <button type="button" class="secondary" onclick={onask}>{ "Make a new secret" }</button>
                        <span class="hint">{ " If the secret may have leaked." }</span>
                    </p>
                }
            } }
            { match &*replaced {
                Some(Ok(())) => html! { <p role="status">{ "A new secret is in place. Update your server with it." }</p> },
                Some(Err(message)) => html! { <p class="error" role="alert">{ message.clone() }</p> },
                None => html! {},
            } }
            <div class="code-sample">
                <p class="label" id="identity-sample-title">{ "On your server (Node.js)" }</p>
                <pre aria-labelledby="identity-sample-title"><code>{ SAMPLE }</code></pre>
                <p class="hint">{ "Compute the hash on your server, never in the browser: anyone who sees the secret can pose as any \
                    of your users. Keep it out of your pages and your repository." }</p>
            </div>
        </section>
    }
}

/// Signing a user id as `identify` expects: hex HMAC-SHA256 of the id, keyed with the secret.
const SAMPLE: &str = "const crypto = require('crypto');
const hash = crypto.createHmac('sha256', SECRET).update(userId).digest('hex');
// In the page: Provixchat.identify({ id: userId, email, name, hash })";
