use shared::api::BlockVisitorRequest;
use shared::{SiteId, VisitorId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct BlockVisitorProps {
    pub site: SiteId,
    pub visitor: VisitorId,
    pub blocked: bool,
    /// The block changed: the profile is fetched again.
    pub onchange: Callback<()>,
}

/// Blocking a visitor who abuses the chat: asked first (their open chat closes at once and they
/// cannot start another), undone with one click. Their privacy requests keep working.
#[function_component(BlockVisitor)]
pub fn block_visitor(props: &BlockVisitorProps) -> Html {
    let confirming = use_state(|| false);
    let error = use_state(|| None::<String>);
    let set = {
        let (site, visitor, onchange) = (props.site.clone(), props.visitor.clone(), props.onchange.clone());
        let (confirming, error) = (confirming.clone(), error.clone());
        Callback::from(move |blocked: bool| {
            let path = format!("/api/v1/workspaces/{site}/visitors/{visitor}/blocked");
            let (confirming, error, onchange) = (confirming.clone(), error.clone(), onchange.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let done =
                    client::http::put_json(&path, &BlockVisitorRequest { blocked }, client::http::any_answer).await;
                confirming.set(false);
                match done {
                    Ok(_) => {
                        error.set(None);
                        onchange.emit(());
                    }
                    Err(e) => error.set(Some(e.message)),
                }
            });
        })
    };
    let alert = (*error).clone().map(|message| html! { <p class="error" role="alert">{ message }</p> });
    if props.blocked {
        return html! {
            <div class="block-visitor">
                <p role="status">{ "Blocked: this visitor cannot chat." }</p>
                <button type="button" class="secondary small" onclick={set.reform(|_| false)}>{ "Unblock visitor" }</button>
                { alert }
            </div>
        };
    }
    if *confirming {
        let oncancel = {
            let confirming = confirming.clone();
            Callback::from(move |_| confirming.set(false))
        };
        return html! {
            <div class="block-visitor" role="group" aria-labelledby="block-visitor-question">
                <p id="block-visitor-question">{ "Block this visitor? Their chat closes now and they cannot start another." }</p>
                <div class="actions">
                    <button type="button" class="secondary small danger" onclick={set.reform(|_| true)}>{ "Block" }</button>
                    <button type="button" class="secondary small" onclick={oncancel}>{ "Cancel" }</button>
                </div>
                { alert }
            </div>
        };
    }
    let onask = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(true))
    };
    html! {
        <div class="block-visitor">
            <button type="button" class="secondary small" onclick={onask}>{ "Block visitor" }</button>
            { alert }
        </div>
    }
}
