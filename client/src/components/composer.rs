use super::suggestion_list::{option_id, SuggestionList, LIST_ID};
use shared::chat_labels::{fill, Texts};
use shared::{domain::MAX_MESSAGE_CHARS, DomainError, MessageBody};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Private notes next to replies (the inbox; needs the `agent-composer` feature): a checkbox
/// switches the composer to a note only the team sees, drawn apart (the form gets the `note`
/// class) so the two are never confused.
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

/// Texts offered while the message starts with `/` (the inbox's saved replies; needs the
/// `agent-composer` feature). Such a message is a command, not writing to the other side yet, so
/// it sends no typing signal.
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

/// Where a composer keeps what is being written, so a composer made again (the widget's chat
/// starts over when the site names another visitor) starts with it. Copies are the same place.
#[derive(Debug, Clone, Default)]
pub struct KeptDraft(Rc<std::cell::RefCell<String>>);

impl PartialEq for KeptDraft {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    /// Called with the trimmed text when the user sends.
    pub onsend: Callback<String>,
    /// Instead of the labels' "Write a message…".
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    /// Called while the user types, at most every few seconds (for typing indicators).
    #[prop_or_default]
    pub ontyping: Option<Callback<()>>,
    /// The words (the text box's accessible name, "Message", is how the end-to-end tests find it).
    /// The widget's table in the visitor's language, or the inbox's (`Texts::agent`): never a
    /// default, which would put the widget's whole English table in the inbox.
    pub labels: Texts,
    /// The form's class: the widget's and the inbox's stylesheets each style their own.
    #[prop_or(AttrValue::Static("pvx-composer"))]
    pub class: AttrValue,
    /// The text box's height in lines (a string, as the attribute takes it).
    #[prop_or(AttrValue::Static("2"))]
    pub rows: AttrValue,
    #[prop_or_default]
    pub notes: Option<Notes>,
    #[prop_or_default]
    pub suggestions: Option<Suggestions>,
    /// Names the keys under the box (the inbox has the room; the widget does not: `agent-composer`).
    #[prop_or_default]
    pub key_hint: bool,
    #[prop_or_default]
    pub keep: Option<KeptDraft>,
    /// Where a file attached here goes (the edge's file-message route): a paperclip beside the
    /// button. The browser sends the file itself (`www/app/files.js`, which also takes a file
    /// pasted or dropped); its message comes on the conversation's socket like any other.
    #[prop_or_default]
    pub upload: Option<AttrValue>,
}

/// Notes, suggestions and the key hint are the inbox's: the widget builds `client` without the
/// `agent-composer` feature, and with this constant false the optimiser drops their code from its
/// WASM (measured: 2.2 KB gzip).
const AGENT: bool = cfg!(feature = "agent-composer");

/// Least time between two typing signals, in ms: the other side's indicator lasts longer.
const TYPING_EVERY_MS: f64 = 2500.0;

/// What is being written: the text, whether it is a note, and the suggestion list's state. One
/// reducer rather than a state hook per field: each hook costs the widget WASM, and a reducer
/// never applies an edit to a stale copy.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    text: String,
    note: bool,
    /// The highlighted suggestion.
    active: usize,
    /// Escape hides the suggestions until the text changes again.
    dismissed: bool,
}

enum Edit {
    /// The user changed the text.
    Typed(String),
    /// The composer did (sent, or picked a suggestion).
    Replaced(String),
    Note(bool),
    Highlight(usize),
    Dismiss,
}

impl Reducible for Draft {
    type Action = Edit;

    fn reduce(self: Rc<Self>, edit: Edit) -> Rc<Self> {
        let mut draft = Rc::unwrap_or_clone(self);
        match edit {
            Edit::Typed(text) => {
                draft = Draft { text, note: draft.note, ..Draft::default() };
            }
            Edit::Replaced(text) => {
                draft.text = text;
                draft.active = 0;
            }
            Edit::Note(on) => draft.note = on,
            Edit::Highlight(i) => draft.active = i,
            Edit::Dismiss => draft.dismissed = true,
        }
        Rc::new(draft)
    }
}

/// A text box labelled "Message" and a "Send" button, for the visitor and the agent alike. Enter
/// sends, Shift+Enter starts a new line. The same limits as the edge apply before anything leaves
/// the browser. The inbox adds private notes and saved replies (see [`Notes`], [`Suggestions`]).
#[function_component(Composer)]
pub fn composer(props: &ComposerProps) -> Html {
    let keep = props.keep.clone();
    let draft = {
        let kept = keep.as_ref().map(|k| k.0.borrow().clone()).unwrap_or_default();
        use_reducer(move || Draft { text: kept, ..Draft::default() })
    };
    let last_typing = use_mut_ref(|| f64::MIN);
    let input = use_node_ref();
    {
        // A kept draft goes back into the box once it is drawn.
        let (input, text) = (input.clone(), draft.text.clone());
        use_effect_with((), move |_| {
            if let Some(el) = input.cast::<HtmlTextAreaElement>().filter(|_| !text.is_empty()) {
                el.set_value(&text);
            }
        });
    }
    let (offer_notes, suggestions) =
        (props.notes.as_ref().filter(|_| AGENT), props.suggestions.as_ref().filter(|_| AGENT));
    let notes = offer_notes.filter(|_| draft.note);
    let found = match suggestions {
        Some(s) if !draft.dismissed => s.find.emit(draft.text.clone()),
        _ => Vec::new(),
    };
    let open = AGENT && !found.is_empty();
    let key_hint = AGENT && props.key_hint;
    let highlighted = draft.active.min(found.len().saturating_sub(1));
    let check = MessageBody::parse(&draft.text);
    let too_long = matches!(check, Err(DomainError::MessageTooLong { .. }));

    // The box is not bound to the draft (a controlled value costs the widget WASM): what sending
    // or picking a suggestion changes is written into it here, and the focus goes back to it.
    let refill = {
        let (draft, input, keep) = (draft.dispatcher(), input.clone(), keep.clone());
        move |value: String| {
            if let Some(el) = input.cast::<HtmlTextAreaElement>() {
                el.set_value(&value);
                let _ = el.focus();
            }
            if let Some(k) = &keep {
                k.0.replace(value.clone());
            }
            draft.dispatch(Edit::Replaced(value));
        }
    };
    // Built only where used: a callback, once made, keeps its code in the widget's WASM.
    let onpick = suggestions.map(|_| {
        let refill = refill.clone();
        Callback::from(move |picked: Suggestion| refill(picked.text.to_string()))
    });
    let send = {
        let (text, onsend, last_typing) = (draft.text.clone(), props.onsend.clone(), last_typing.clone());
        let onnote = notes.map(|n| n.onnote.clone());
        Callback::from(move |()| {
            let Ok(body) = MessageBody::parse(&text) else { return };
            onnote.as_ref().unwrap_or(&onsend).emit(body.into());
            refill(String::new());
            // The message ended that bout of typing: the next one is news at once.
            *last_typing.borrow_mut() = f64::MIN;
        })
    };
    let oninput = {
        let (draft, ontyping, keep) = (draft.dispatcher(), props.ontyping.clone(), keep.clone());
        let (writing_note, commands) = (notes.is_some(), suggestions.is_some());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            if let Some(k) = &keep {
                k.0.replace(value.clone());
            }
            let now = js_sys::Date::now();
            // Notes stay among agents, and picking a suggestion is not writing to the other side yet.
            let writing = !writing_note && !value.trim().is_empty() && !(commands && value.starts_with('/'));
            if let Some(ontyping) = ontyping.as_ref().filter(|_| writing) {
                if now - *last_typing.borrow() >= TYPING_EVERY_MS {
                    *last_typing.borrow_mut() = now;
                    ontyping.emit(());
                }
            }
            draft.dispatch(Edit::Typed(value));
        })
    };
    let onkeydown = {
        let (draft, onpick, send, found) = (draft.dispatcher(), onpick.clone(), send.clone(), found.clone());
        Callback::from(move |e: KeyboardEvent| {
            let plain_enter = e.key() == "Enter" && !e.shift_key() && !e.is_composing();
            match e.key().as_str() {
                "ArrowDown" if open => draft.dispatch(Edit::Highlight((highlighted + 1) % found.len())),
                "ArrowUp" if open => draft.dispatch(Edit::Highlight((highlighted + found.len() - 1) % found.len())),
                "Escape" if open => draft.dispatch(Edit::Dismiss),
                "Enter" if open && plain_enter => {
                    if let (Some(onpick), Some(picked)) = (&onpick, found.get(highlighted)) {
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
    let onnotechange = offer_notes.map(|_| {
        let (draft, input) = (draft.dispatcher(), input.clone());
        Callback::from(move |e: Event| {
            draft.dispatch(Edit::Note(e.target_unchecked_into::<HtmlInputElement>().checked()));
            if let Some(el) = input.cast::<HtmlTextAreaElement>() {
                let _ = el.focus();
            }
        })
    });
    let l = &props.labels;
    let placeholder: AttrValue = props.placeholder.clone().unwrap_or_else(|| l.placeholder.to_string().into());
    let button = html! {
        <button type="submit" disabled={check.is_err()}>{ notes.map_or(l.send.to_string().into(), |n| n.button.clone()) }</button>
    };
    let clip = props.upload.as_ref().map(|url| {
        html! {
            <label class="pvx-clip">
                <input type="file" multiple=true data-upload={url.clone()} aria-label={l.attach.to_string()}
                    accept="image/*,.pdf,.txt" />
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M15 7v9a3 3 0 0 1-6 0V6a2 2 0 0 1 4 0v9" /></svg>
            </label>
        }
    });
    let over = draft.text.chars().count().saturating_sub(MAX_MESSAGE_CHARS);
    html! {
        <form class={classes!(props.class.clone(), notes.map(|_| "note"))} {onsubmit}>
            if let (Some(s), Some(onpick), true) = (suggestions, onpick, open) {
                <SuggestionList label={s.label.clone()} suggestions={found.clone()} active={highlighted} {onpick} />
            }
            <textarea ref={input} aria-label={l.message.to_string()} rows={props.rows.clone()}
                placeholder={notes.map_or(placeholder, |n| n.placeholder.clone())}
                maxlength={(MAX_MESSAGE_CHARS * 2).to_string()} {oninput} {onkeydown}
                aria-autocomplete={suggestions.map(|_| "list")} aria-controls={open.then_some(LIST_ID)}
                aria-activedescendant={open.then(|| option_id(highlighted))}
                aria-invalid={too_long.to_string()} aria-describedby="pvx-composer-hint" />
            if offer_notes.is_some() || key_hint {
                <div class="actions">
                    if let Some(n) = offer_notes {
                        <label class="check">
                            <input type="checkbox" checked={draft.note} onchange={onnotechange} />
                            { n.toggle.clone() }
                        </label>
                    }
                    if key_hint {
                        <span class="keys" aria-hidden="true">{ l.keys.as_ref() }</span>
                    }
                    { for clip }
                    { button }
                </div>
            } else {
                { for clip }
                { button }
            }
            <p id="pvx-composer-hint" class="pvx-hint" role={too_long.then_some("alert")}>
                { if too_long { fill(&fill(&l.over_limit, "over", &over.to_string()), "max", &MAX_MESSAGE_CHARS.to_string()) } else { String::new() } }
            </p>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(edits: impl IntoIterator<Item = Edit>) -> Draft {
        let draft = edits.into_iter().fold(Rc::new(Draft::default()), |draft, edit| draft.reduce(edit));
        Rc::unwrap_or_clone(draft)
    }

    #[test]
    fn typing_starts_the_suggestions_afresh_but_keeps_the_note_mode() {
        let draft = after([Edit::Note(true), Edit::Typed("/s".into()), Edit::Highlight(2), Edit::Dismiss]);
        assert_eq!((draft.active, draft.dismissed, draft.note), (2, true, true));
        let draft = after([Edit::Note(true), Edit::Highlight(2), Edit::Dismiss, Edit::Typed("/sh".into())]);
        assert_eq!(draft, Draft { text: "/sh".into(), note: true, active: 0, dismissed: false });
    }

    #[test]
    fn sending_or_picking_replaces_the_text() {
        let draft = after([Edit::Typed("/sh".into()), Edit::Highlight(1), Edit::Replaced("9 to 5.".into())]);
        assert_eq!((draft.text.as_str(), draft.active), ("9 to 5.", 0));
        assert_eq!(after([Edit::Typed("Hello".into()), Edit::Replaced(String::new())]).text, "");
    }
}
