use crate::chat::{Line, LineState};
use shared::chat_labels::{fill, ChatLabels, Texts};
use shared::files::{readable_size, Attachment};
use shared::Author;
use yew::prelude::*;

/// Whose screen this is: their own messages sit on the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Visitor,
    Agent,
}

#[derive(Properties, PartialEq)]
pub struct MessageListProps {
    pub lines: Vec<Line>,
    pub viewer: Viewer,
    /// How far the other side has read: the viewer's latest line up to it says "Seen".
    #[prop_or_default]
    pub peer_read: u64,
    /// Who else is typing ("Dana is typing…" below the messages).
    #[prop_or_default]
    pub typing: Option<AttrValue>,
    /// The words.
    /// As the composer's.
    pub labels: Texts,
    /// The language of the day separators (`de`…; `default`: the browser's).
    #[prop_or(AttrValue::Static("default"))]
    pub lang: AttrValue,
    /// The conversation's file link (see `ChatState::files`): files show once it is known.
    #[prop_or_default]
    pub files: Option<String>,
}

/// The conversation, oldest first, kept scrolled to the newest message. Text is only ever
/// rendered as text.
#[function_component(MessageList)]
pub fn message_list(props: &MessageListProps) -> Html {
    let list = use_node_ref();
    {
        let list = list.clone();
        use_effect_with(props.lines.len(), move |_| {
            if let Some(el) = list.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let seen = props
        .lines
        .iter()
        .filter(|l| is_mine(l, props.viewer) && !l.note)
        .filter_map(|l| l.seq)
        .filter(|seq| *seq <= props.peer_read)
        .max();
    let l = &props.labels;
    let mut last_day = None;
    let mut items = Vec::with_capacity(props.lines.len());
    for line in &props.lines {
        // A separator wherever the day changes, so old history reads like a diary.
        if let Some(at) = line.at {
            let label = day(at, &props.lang);
            if last_day.as_ref() != Some(&label) {
                // A list item of its own (an `ol` holds only items): the day, read in order.
                items.push(html! { <li class="pvx-day" key={format!("day-{label}")}><time>{ &label }</time></li> });
                last_day = Some(label);
            }
        }
        items.push(line_view(line, props.viewer, seen.is_some() && line.seq == seen, l, props.files.as_deref()));
    }
    // For screen readers, the list announces messages as they arrive (its additions only: the
    // status words inside it change on every message, and would be read again each time); what
    // becomes of the viewer's newest message is said once by a status line, and a failure
    // at once by an alert.
    let newest = props.lines.iter().rev().find(|l| is_mine(l, props.viewer) && !l.note);
    let said = newest.and_then(|line| match &line.state {
        LineState::Sent if seen.is_some() && line.seq == seen => Some(l.said_seen.to_string()),
        LineState::Sent => Some(l.said_sent.to_string()),
        _ => None,
    });
    let failed = newest.and_then(|line| match &line.state {
        LineState::Failed(why) => Some(fill(&l.said_failed, "why", why)),
        _ => None,
    });
    html! {
        <>
            <ol class="pvx-messages" ref={list} aria-label={l.messages.to_string()} aria-live="polite" aria-relevant="additions">
                { for items }
            </ol>
            <p class="pvx-typing" role="status">
                { for props.typing.as_ref().map(|who| fill(&l.typing, "who", who)) }
            </p>
            <p class="pvx-said" role="status">{ for said }</p>
            <p class="pvx-said" role="alert">{ for failed }</p>
        </>
    }
}

/// The words for what became of one of the viewer's messages.
fn status(line: &Line, seen: bool, l: &ChatLabels) -> String {
    match &line.state {
        LineState::Sending => l.sending.to_string(),
        LineState::Sent if seen => l.seen.to_string(),
        LineState::Sent => l.sent.to_string(),
        LineState::Failed(why) => fill(&l.not_sent, "why", why),
        LineState::Waiting(s) => fill(&l.waiting, "s", &s.to_string()),
    }
}

fn is_mine(line: &Line, viewer: Viewer) -> bool {
    matches!((&line.author, viewer), (Author::Visitor, Viewer::Visitor) | (Author::Agent { .. }, Viewer::Agent))
}

/// A message's file: a picture shown in the message (a link to it whole), anything else a link
/// that downloads it, with its name and size. The edge serves each as what its bytes are.
fn file_view(file: &Attachment, link: &str) -> Html {
    let href = link.to_owned() + &file.id;
    if file.kind.is_image() {
        html! { <a class="pvx-file" href={href.clone()} target="_blank"><img src={href} alt={file.name.clone()} /></a> }
    } else {
        html! { <a class="pvx-body" href={href} download={file.name.clone()}>{ &file.name }{ " · " }{ readable_size(file.size) }</a> }
    }
}

fn line_view(line: &Line, viewer: Viewer, seen: bool, l: &ChatLabels, files: Option<&str>) -> Html {
    let mine = is_mine(line, viewer);
    let who = match &line.author {
        _ if mine && viewer == Viewer::Visitor => l.you.to_string(),
        Author::Agent { name } => name.clone(),
        Author::Visitor => l.visitor.to_string(),
    };
    let status = status(line, seen, l);
    let file = line.file.as_ref().zip(files);
    let class = classes!(
        "pvx-line",
        if mine { "mine" } else { "theirs" },
        matches!(line.state, LineState::Failed(_)).then_some("failed"),
        line.note.then_some("note")
    );
    html! {
        <li {class} key={line.client_id.as_str().to_owned()}>
            if line.note {
                <p class="pvx-note-label">{ "Private note" }</p>
            }
            if let Some((file, link)) = file {
                { file_view(file, link) }
            }
            // A file's default caption is its name, shown with the file already.
            if !file.is_some_and(|(f, _)| f.name == line.body) {
                <p class="pvx-body">{ &line.body }</p>
            }
            <p class="pvx-meta">
                <span class="pvx-who">{ who }</span>
                // Always there, so the time arriving with the server's answer is not a new
                // node the list would announce.
                <time>{ line.at.map(clock).unwrap_or_default() }</time>
                { for mine.then(|| html! { <span class={classes!("pvx-status", (seen && line.state == LineState::Sent).then_some("seen"))}>{ status }</span> }) }
            </p>
        </li>
    }
}

#[cfg(target_arch = "wasm32")]
fn clock(at: i64) -> String {
    crate::clock(at)
}

#[cfg(not(target_arch = "wasm32"))]
fn clock(at: i64) -> String {
    at.to_string()
}

#[cfg(target_arch = "wasm32")]
fn day(at: i64, lang: &str) -> String {
    crate::day_in(at, lang)
}

#[cfg(not(target_arch = "wasm32"))]
fn day(at: i64, _lang: &str) -> String {
    (at / 86_400_000).to_string()
}
