use super::saved_reply_picker::{option_id, SavedReplyPicker, LIST_ID};
use crate::inbox_state::text::saved_replies_for;
use shared::api::{CannedResponse, WorkspaceSettings};
use shared::{domain::MAX_MESSAGE_CHARS, DomainError, MessageBody, SiteId};
use web_sys::HtmlTextAreaElement;
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
}

/// Least time between two typing signals, in ms: the visitor's indicator lasts longer.
const TYPING_EVERY_MS: f64 = 2500.0;

/// The agent's composer: a reply to the visitor or, with "Private note" ticked, a note only the
/// team sees (drawn in yellow so the two are never confused). Enter sends, Shift+Enter starts a
/// new line; a message starting with `/` offers the workspace's saved replies.
#[function_component(ReplyBox)]
pub fn reply_box(props: &ReplyBoxProps) -> Html {
    let text = use_state(String::new);
    let note = use_state(|| false);
    let replies = use_state(Vec::<CannedResponse>::new);
    let active = use_state(|| 0usize);
    // Escape hides the saved replies until the text changes again.
    let dismissed = use_state(|| false);
    let last_typing = use_mut_ref(|| f64::MIN);
    let input = use_node_ref();
    {
        let replies = replies.clone();
        use_effect_with(props.site.clone(), move |site| {
            let path = format!("/api/v1/workspaces/{site}/settings");
            wasm_bindgen_futures::spawn_local(async move {
                // Without settings there are simply no saved replies; the composer still works.
                if let Ok(settings) = client::http::get::<WorkspaceSettings>(&path).await {
                    replies.set(settings.canned_responses);
                }
            });
        });
    }
    let matches: Vec<CannedResponse> =
        if *dismissed { Vec::new() } else { saved_replies_for(&text, &replies).into_iter().cloned().collect() };
    let open = !matches.is_empty();
    let highlighted = (*active).min(matches.len().saturating_sub(1));
    let check = MessageBody::parse(&text);
    let too_long = matches!(check, Err(DomainError::MessageTooLong { .. }));

    let focus = {
        let input = input.clone();
        move || {
            if let Some(el) = input.cast::<HtmlTextAreaElement>() {
                let _ = el.focus();
            }
        }
    };
    let onpick = {
        let (text, active, focus) = (text.clone(), active.clone(), focus.clone());
        Callback::from(move |reply: CannedResponse| {
            text.set(reply.text);
            active.set(0);
            focus();
        })
    };
    let send = {
        let (text, note, onsend, onnote, focus) =
            (text.clone(), note.clone(), props.onsend.clone(), props.onnote.clone(), focus.clone());
        let last_typing = last_typing.clone();
        Callback::from(move |()| {
            let Ok(body) = MessageBody::parse(&text) else { return };
            if *note {
                onnote.emit(body.into())
            } else {
                onsend.emit(body.into())
            }
            text.set(String::new());
            // The message ended that bout of typing: the next one is news at once.
            *last_typing.borrow_mut() = f64::MIN;
            focus();
        })
    };
    let oninput = {
        let (text, note, active, dismissed, ontyping) =
            (text.clone(), note.clone(), active.clone(), dismissed.clone(), props.ontyping.clone());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            let now = js_sys::Date::now();
            // Notes stay among agents, and picking a saved reply is not writing to the visitor yet.
            let replying = !*note && !value.trim().is_empty() && !value.starts_with('/');
            if replying && now - *last_typing.borrow() >= TYPING_EVERY_MS {
                *last_typing.borrow_mut() = now;
                ontyping.emit(());
            }
            active.set(0);
            dismissed.set(false);
            text.set(value);
        })
    };
    let onkeydown = {
        let (active, dismissed, onpick, send, matches) =
            (active.clone(), dismissed.clone(), onpick.clone(), send.clone(), matches.clone());
        Callback::from(move |e: KeyboardEvent| {
            let plain_enter = e.key() == "Enter" && !e.shift_key() && !e.is_composing();
            match e.key().as_str() {
                "ArrowDown" if open => active.set((highlighted + 1) % matches.len()),
                "ArrowUp" if open => active.set((highlighted + matches.len() - 1) % matches.len()),
                "Escape" if open => dismissed.set(true),
                "Enter" if open && plain_enter => {
                    if let Some(reply) = matches.get(highlighted) {
                        onpick.emit(reply.clone());
                    }
                }
                "Enter" if plain_enter => send.emit(()),
                _ => return,
            }
            e.prevent_default();
        })
    };
    let onsubmit = {
        let send = send.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(());
        })
    };
    let onnotechange = {
        let (note, focus) = (note.clone(), focus.clone());
        Callback::from(move |e: Event| {
            note.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked());
            focus();
        })
    };
    let over = text.chars().count().saturating_sub(MAX_MESSAGE_CHARS);
    let placeholder = if *note {
        "Write a private note — only your team sees it"
    } else {
        "Write a reply… (type / for saved replies)"
    };
    html! {
        <form class={classes!("reply-box", note.then_some("note"))} {onsubmit}>
            if open {
                <SavedReplyPicker replies={matches.clone()} active={highlighted} {onpick} />
            }
            <textarea ref={input} aria-label="Message" rows="3" {placeholder} value={(*text).clone()}
                maxlength={(MAX_MESSAGE_CHARS * 2).to_string()} {oninput} {onkeydown}
                aria-autocomplete="list" aria-controls={open.then_some(LIST_ID)}
                aria-activedescendant={open.then(|| option_id(highlighted))}
                aria-invalid={too_long.to_string()} aria-describedby="reply-hint" />
            <div class="actions">
                <label class="check">
                    <input type="checkbox" checked={*note} onchange={onnotechange} />
                    { "Private note" }
                </label>
                <span class="keys" aria-hidden="true">{ "Enter to send · Shift+Enter for a new line" }</span>
                <button type="submit" disabled={check.is_err()}>{ if *note { "Add note" } else { "Send" } }</button>
            </div>
            <p id="reply-hint" class="pvx-hint" role={too_long.then_some("alert")}>
                { if too_long { format!("{over} characters over the {MAX_MESSAGE_CHARS}-character limit") } else { String::new() } }
            </p>
        </form>
    }
}
