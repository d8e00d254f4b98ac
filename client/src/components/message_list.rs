use crate::chat::{Line, LineState};
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
    html! {
        <ol class="pvx-messages" ref={list} aria-label="Messages" aria-live="polite">
            { for props.lines.iter().map(|line| line_view(line, props.viewer)) }
        </ol>
    }
}

fn line_view(line: &Line, viewer: Viewer) -> Html {
    let mine = matches!((&line.author, viewer), (Author::Visitor, Viewer::Visitor) | (Author::Agent { .. }, Viewer::Agent));
    let who = match &line.author {
        _ if mine && viewer == Viewer::Visitor => "You".to_owned(),
        Author::Agent { name } => name.clone(),
        Author::Visitor => "Visitor".to_owned(),
    };
    let status = match &line.state {
        LineState::Sending => "Sending…".to_owned(),
        LineState::Sent => "Sent".to_owned(),
        LineState::Failed(why) => format!("Not sent: {why}"),
    };
    let class = classes!("pvx-line", if mine { "mine" } else { "theirs" }, matches!(line.state, LineState::Failed(_)).then_some("failed"));
    html! {
        <li {class} key={line.client_id.as_str().to_owned()}>
            <p class="pvx-body">{ &line.body }</p>
            <p class="pvx-meta">
                <span class="pvx-who">{ who }</span>
                { for line.at.map(|at| html! { <time>{ clock(at) }</time> }) }
                { for mine.then(|| html! { <span class="pvx-status">{ status }</span> }) }
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
