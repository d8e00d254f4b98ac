use super::suggestion_list::{option_id, SuggestionList, LIST_ID};
use shared::{domain::MAX_MESSAGE_CHARS, DomainError, MessageBody};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Private notes next to replies (the inbox): a checkbox switches the composer to a note only
/// the team sees, drawn apart (the form gets the `note` class) so the two are never confused.
#[derive(Clone, PartialEq)]
pub struct Notes {
    /// Called with the trimmed text of a note.
    pub onnote: Callback<String>,
    /// The checkbox's label.
    pub toggle: AttrValue,
    /// The send button's text while a note is written.
    pub button: AttrValue,
    /// The placeholder while a note is written.
    pub placeholder: AttrValue,
}

/// Texts offered while the message starts with `/` (the inbox's saved replies). Such a message is
/// a command, not writing to the other side yet, so it sends no typing signal.
#[derive(Clone, PartialEq)]
pub struct Suggestions {
    /// The list's accessible name.
    pub label: AttrValue,
    /// What the text typed so far asks for; nothing hides the list.
    pub find: Callback<String, Vec<Suggestion>>,
}

/// One offered text, shown with its shortcut; picking it puts `text` in the box.
#[derive(Clone, PartialEq)]
pub struct Suggestion {
    pub shortcut: AttrValue,
    pub text: AttrValue,
}

#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    /// Called with the trimmed text when the user sends.
    pub onsend: Callback<String>,
    #[prop_or(AttrValue::Static("Write a message…"))]
    pub placeholder: AttrValue,
    /// Called while the user types, at most every few seconds (for typing indicators).
    #[prop_or_default]
    pub ontyping: Option<Callback<()>>,
    /// The text box's accessible name (the end-to-end tests find it by this).
    #[prop_or(AttrValue::Static("Message"))]
    pub label: AttrValue,
    /// The form's class: the widget's and the inbox's stylesheets each style their own.
    #[prop_or(AttrValue::Static("pvx-composer"))]
    pub class: AttrValue,
    #[prop_or(2)]
    pub rows: u32,
    #[prop_or_default]
    pub notes: Option<Notes>,
    #[prop_or_default]
    pub suggestions: Option<Suggestions>,
    /// Names the keys under the box (the inbox has the room; the widget does not).
    #[prop_or_default]
    pub key_hint: bool,
}

/// Least time between two typing signals, in ms: the other side's indicator lasts longer.
const TYPING_EVERY_MS: f64 = 2500.0;

/// A text box labelled "Message" and a "Send" button, for the visitor and the agent alike. Enter
/// sends, Shift+Enter starts a new line. The same limits as the edge apply before anything leaves
/// the browser. The inbox adds private notes and saved replies (see [`Notes`], [`Suggestions`]).
#[function_component(Composer)]
pub fn composer(props: &ComposerProps) -> Html {
    let text = use_state(String::new);
    let note = use_state(|| false);
    let active = use_state(|| 0usize);
    // Escape hides the suggestions until the text changes again.
    let dismissed = use_state(|| false);
    let last_typing = use_mut_ref(|| f64::MIN);
    let input = use_node_ref();
    let notes = props.notes.as_ref().filter(|_| *note);
    let found = match &props.suggestions {
        Some(s) if !*dismissed => s.find.emit((*text).clone()),
        _ => Vec::new(),
    };
    let open = !found.is_empty();
    let highlighted = (*active).min(found.len().saturating_sub(1));
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
        Callback::from(move |picked: Suggestion| {
            text.set(picked.text.to_string());
            active.set(0);
            focus();
        })
    };
    let send = {
        let (text, onsend, last_typing, focus) =
            (text.clone(), props.onsend.clone(), last_typing.clone(), focus.clone());
        let onnote = notes.map(|n| n.onnote.clone());
        Callback::from(move |()| {
            let Ok(body) = MessageBody::parse(&text) else { return };
            onnote.as_ref().unwrap_or(&onsend).emit(body.into());
            text.set(String::new());
            // The message ended that bout of typing: the next one is news at once.
            *last_typing.borrow_mut() = f64::MIN;
            focus();
        })
    };
    let oninput = {
        let (text, active, dismissed, ontyping) =
            (text.clone(), active.clone(), dismissed.clone(), props.ontyping.clone());
        let (writing_note, commands) = (notes.is_some(), props.suggestions.is_some());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            let now = js_sys::Date::now();
            // Notes stay among agents, and picking a suggestion is not writing to the other side yet.
            let writing = !writing_note && !value.trim().is_empty() && !(commands && value.starts_with('/'));
            if let Some(ontyping) = ontyping.as_ref().filter(|_| writing) {
                if now - *last_typing.borrow() >= TYPING_EVERY_MS {
                    *last_typing.borrow_mut() = now;
                    ontyping.emit(());
                }
            }
            active.set(0);
            dismissed.set(false);
            text.set(value);
        })
    };
    let onkeydown = {
        let (active, dismissed, onpick, send, found) =
            (active.clone(), dismissed.clone(), onpick.clone(), send.clone(), found.clone());
        Callback::from(move |e: KeyboardEvent| {
            let plain_enter = e.key() == "Enter" && !e.shift_key() && !e.is_composing();
            match e.key().as_str() {
                "ArrowDown" if open => active.set((highlighted + 1) % found.len()),
                "ArrowUp" if open => active.set((highlighted + found.len() - 1) % found.len()),
                "Escape" if open => dismissed.set(true),
                "Enter" if open && plain_enter => {
                    if let Some(picked) = found.get(highlighted) {
                        onpick.emit(picked.clone());
                    }
                }
                "Enter" if plain_enter => send.emit(()),
                _ => return,
            }
            e.prevent_default();
        })
    };
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        send.emit(());
    });
    let onnotechange = {
        let (note, focus) = (note.clone(), focus.clone());
        Callback::from(move |e: Event| {
            note.set(e.target_unchecked_into::<HtmlInputElement>().checked());
            focus();
        })
    };
    let button = html! {
        <button type="submit" disabled={check.is_err()}>{ notes.map_or(AttrValue::Static("Send"), |n| n.button.clone()) }</button>
    };
    let over = text.chars().count().saturating_sub(MAX_MESSAGE_CHARS);
    html! {
        <form class={classes!(props.class.to_string(), notes.map(|_| "note"))} {onsubmit}>
            if let Some(s) = props.suggestions.as_ref().filter(|_| open) {
                <SuggestionList label={s.label.clone()} suggestions={found.clone()} active={highlighted} {onpick} />
            }
            <textarea ref={input} aria-label={props.label.clone()} rows={props.rows.to_string()}
                placeholder={notes.map_or(props.placeholder.clone(), |n| n.placeholder.clone())}
                value={(*text).clone()} maxlength={(MAX_MESSAGE_CHARS * 2).to_string()} {oninput} {onkeydown}
                aria-autocomplete={props.suggestions.as_ref().map(|_| "list")} aria-controls={open.then_some(LIST_ID)}
                aria-activedescendant={open.then(|| option_id(highlighted))}
                aria-invalid={too_long.to_string()} aria-describedby="pvx-composer-hint" />
            if props.notes.is_some() || props.key_hint {
                <div class="actions">
                    if let Some(n) = &props.notes {
                        <label class="check">
                            <input type="checkbox" checked={*note} onchange={onnotechange} />
                            { n.toggle.clone() }
                        </label>
                    }
                    if props.key_hint {
                        <span class="keys" aria-hidden="true">{ "Enter to send · Shift+Enter for a new line" }</span>
                    }
                    { button }
                </div>
            } else {
                { button }
            }
            <p id="pvx-composer-hint" class="pvx-hint" role={too_long.then_some("alert")}>
                { if too_long { format!("{over} characters over the {MAX_MESSAGE_CHARS}-character limit") } else { String::new() } }
            </p>
        </form>
    }
}
