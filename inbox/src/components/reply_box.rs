use crate::inbox_state::text::saved_replies_for;
use client::components::{Composer, Notes, Suggestion, Suggestions};
use shared::api::{CannedResponse, WorkspaceSettings};
use shared::chat_labels::Texts;
use shared::SiteId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ReplyBoxProps {
    pub site: SiteId,
    /// A reply to the visitor, trimmed.
    pub onsend: Callback<String>,
    /// A private note for the team, trimmed.
    pub onnote: Callback<String>,
    /// The agent is writing a reply (throttled; never for notes).
    pub ontyping: Callback<()>,
    /// Where an attached file goes (see `Composer::upload`).
    pub upload: AttrValue,
}

/// The agent's composer: the widget's [`Composer`] with "Private note" (a note only the team
/// sees) and the workspace's saved replies, offered when a message starts with `/`.
#[function_component(ReplyBox)]
pub fn reply_box(props: &ReplyBoxProps) -> Html {
    let replies = use_state(Vec::<CannedResponse>::new);
    {
        let replies = replies.clone();
        use_effect_with(props.site.clone(), move |site| {
            let path = format!("/api/v1/workspaces/{site}/settings");
            wasm_bindgen_futures::spawn_local(async move {
                // Without settings there are simply no saved replies; the composer still works.
                if let Ok(settings) = client::http::get_json(&path, WorkspaceSettings::from_json).await {
                    replies.set(settings.canned_responses);
                }
            });
        });
    }
    let find = Callback::from(move |text: String| {
        saved_replies_for(&text, &replies)
            .into_iter()
            .map(|r| Suggestion {
                shortcut: format!("/{}", r.shortcut.trim_start_matches('/')).into(),
                text: r.text.clone().into(),
            })
            .collect()
    });
    let notes = Notes {
        onnote: props.onnote.clone(),
        toggle: "Private note".into(),
        button: "Add note".into(),
        placeholder: "Write a private note — only your team sees it".into(),
    };
    html! {
        <Composer labels={Texts::agent()} class="reply-box" rows="3" placeholder="Write a reply… (type / for saved replies)" key_hint=true
            onsend={props.onsend.clone()} ontyping={props.ontyping.clone()} {notes} upload={props.upload.clone()}
            suggestions={Suggestions { label: "Saved replies".into(), find }} />
    }
}
