use shared::protocol::AgentPresence;
use shared::{AgentRef, ClientMsg, ConversationDetails, ConversationStatus, Email};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConversationHeaderProps {
    pub title: AttrValue,
    /// `None` until the conversation socket has sent them: the controls wait for them.
    pub details: Option<ConversationDetails>,
    pub team: Vec<AgentPresence>,
    pub me: AgentRef,
    /// Whether the conversation socket is connected.
    pub online: bool,
    /// Status and assignment changes, sent on the conversation socket.
    pub onframe: Callback<ClientMsg>,
}

/// The conversation's name and the triage controls: its status, who has it, and a one-click
/// "Assign to me". Every change goes to the edge, which answers all agents with new details.
#[function_component(ConversationHeader)]
pub fn conversation_header(props: &ConversationHeaderProps) -> Html {
    let details = props.details.as_ref();
    let ready = details.is_some();
    let onstatus = {
        let onframe = props.onframe.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(status) = ConversationStatus::ALL.into_iter().find(|s| s.label() == value) {
                onframe.emit(ClientMsg::SetStatus { status });
            }
        })
    };
    let onassign = {
        let onframe = props.onframe.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            onframe.emit(ClientMsg::Assign { agent: Email::parse(&value).ok() });
        })
    };
    let onmine = {
        let (onframe, me) = (props.onframe.clone(), props.me.email.clone());
        Callback::from(move |_: MouseEvent| onframe.emit(ClientMsg::Assign { agent: Some(me.clone()) }))
    };
    let status = details.map(|d| d.status);
    let assignee = details.and_then(|d| d.assignee.as_ref());
    // Someone who left the team can still hold a conversation: keep them choosable as they are.
    let departed = assignee.filter(|a| !props.team.iter().any(|t| t.agent.email == a.email));
    let mine = assignee.is_some_and(|a| a.email == props.me.email);
    // Once the agent has used a select, the browser stops following the options' `selected`
    // attributes; setting the value keeps it showing what the edge says, whoever changed it.
    let (status_ref, assignee_ref) = (use_node_ref(), use_node_ref());
    {
        let (status_ref, assignee_ref) = (status_ref.clone(), assignee_ref.clone());
        let shown =
            (status.map(|s| s.label()), assignee.map(|a| a.email.to_string()).unwrap_or_default(), props.team.len());
        use_effect_with(shown, move |(status, assignee, _)| {
            if let (Some(select), Some(status)) = (status_ref.cast::<HtmlSelectElement>(), status) {
                select.set_value(status);
            }
            if let Some(select) = assignee_ref.cast::<HtmlSelectElement>() {
                select.set_value(assignee);
            }
        });
    }
    html! {
        <header class="conversation-header">
            <div class="title">
                <h2>{ &props.title }</h2>
                if !props.online {
                    <p class="status" role="status">{ "Connecting…" }</p>
                }
            </div>
            <div class="triage">
                // Labels beside, not around, the selects: a label's text is then just its name.
                <span class="field">
                    <label class="label" for="conversation-status">{ "Status" }</label>
                    <select id="conversation-status" ref={status_ref} disabled={!ready} onchange={onstatus}>
                        { for ConversationStatus::ALL.into_iter().map(|s| html! {
                            <option value={s.label()} selected={status == Some(s)}>{ s.label() }</option>
                        }) }
                    </select>
                </span>
                <span class="field">
                    <label class="label" for="conversation-assignee">{ "Assignee" }</label>
                    <select id="conversation-assignee" ref={assignee_ref} disabled={!ready} onchange={onassign}>
                        <option value="" selected={assignee.is_none()}>{ "Unassigned" }</option>
                        { for props.team.iter().map(|t| option(&t.agent, assignee)) }
                        { for departed.map(|a| option(a, assignee)) }
                    </select>
                </span>
                <button type="button" class="secondary" disabled={!ready} onclick={onmine}
                    aria-describedby={mine.then_some("assigned-to-you")}>{ "Assign to me" }</button>
                if mine {
                    <span id="assigned-to-you" class="hint">{ "Yours" }</span>
                }
            </div>
        </header>
    }
}

fn option(agent: &AgentRef, assignee: Option<&AgentRef>) -> Html {
    let selected = assignee.is_some_and(|a| a.email == agent.email);
    html! { <option value={agent.email.to_string()} {selected}>{ &agent.name }</option> }
}
