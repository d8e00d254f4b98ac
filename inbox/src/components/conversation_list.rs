use shared::{Author, ConversationId, ConversationSummary};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConversationListProps {
    pub conversations: Vec<ConversationSummary>,
    pub loaded: bool,
    pub selected: Option<ConversationId>,
    pub onselect: Callback<ConversationId>,
}

/// The workspace's conversations, newest first; each one a button naming the visitor and
/// showing the last message.
#[function_component(ConversationList)]
pub fn conversation_list(props: &ConversationListProps) -> Html {
    if props.loaded && props.conversations.is_empty() {
        return html! { <p class="empty">{ "No conversations yet. They appear here the moment a visitor writes." }</p> };
    }
    html! {
        <ul class="conversations" aria-label="Conversations">
            { for props.conversations.iter().map(|c| {
                let onclick = {
                    let (id, onselect) = (c.id.clone(), props.onselect.clone());
                    Callback::from(move |_| onselect.emit(id.clone()))
                };
                let current = props.selected.as_ref() == Some(&c.id);
                let prefix = match &c.last_author { Author::Agent { name } => format!("{name}: "), Author::Visitor => String::new() };
                html! {
                    <li key={c.id.as_str().to_owned()}>
                        <button class={classes!("conversation", current.then_some("current"))} aria-current={current.then_some("true")} {onclick}>
                            <span class="who">{ &c.visitor_name }<time>{ client::clock(c.last_at) }</time></span>
                            <span class="preview">{ prefix }{ &c.last_message }</span>
                        </button>
                    </li>
                }
            }) }
        </ul>
    }
}
