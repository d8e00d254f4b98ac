use super::{copy_field::CopyField, field::Field, save_status::SaveStatus};
use shared::api::{ChangeRoleRequest, CreateInviteRequest, Invite, Me, Member, Role, WorkspaceRef};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TeamProps {
    pub workspace: WorkspaceRef,
    pub me: Me,
}

/// The workspace's members, their roles, and invite links. Owners and admins change roles,
/// remove people and invite; nobody changes or removes the owner, or themselves (so a workspace
/// can't lose its last manager by accident).
#[function_component(Team)]
pub fn team(props: &TeamProps) -> Html {
    let base = format!("/api/v1/workspaces/{}", props.workspace.id);
    let members = use_state(|| None::<Result<Vec<Member>, String>>);
    let status = use_state(|| None::<Result<String, String>>);
    let invite_role = use_state(|| Role::Agent);
    let invite_email = use_node_ref();
    let invite = use_state(|| None::<Invite>);
    // After every change the table shows what the edge holds, whether the change worked or not.
    let reload = {
        let (members, path) = (members.clone(), format!("{base}/members"));
        std::rc::Rc::new(move || {
            let (members, path) = (members.clone(), path.clone());
            wasm_bindgen_futures::spawn_local(async move {
                members.set(Some(
                    client::http::get_json(&path, |v| shared::json::api::list_of(v, Member::from_json))
                        .await
                        .map_err(|e| e.message),
                ));
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with(base.clone(), move |_| reload());
    }
    let manage = props.workspace.can_manage();
    let member_path = |m: &Member| format!("{base}/members/{}", crate::forms::path_segment(m.email.as_str()));
    let change_role = |m: &Member| {
        let (path, name, status, reload) = (member_path(m), m.name.clone(), status.clone(), reload.clone());
        let before = if m.role == Role::Admin { "admin" } else { "agent" };
        Callback::from(move |e: Event| {
            let role = if crate::browser::value(&e) == "admin" { Role::Admin } else { Role::Agent };
            let (path, name, status, reload) = (path.clone(), name.clone(), status.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::put_json(&path, &ChangeRoleRequest { role }, Member::from_json).await {
                    Ok(m) => status.set(Some(Ok(format!("{name} is now {}", crate::forms::role_phrase(m.role))))),
                    Err(err) => {
                        // The unchanged list would not redraw the select: put the old role back.
                        crate::browser::set_value(&e, before);
                        status.set(Some(Err(err.message)));
                    }
                }
                reload();
            });
        })
    };
    let remove = |m: &Member| {
        let (path, name, status, reload) = (member_path(m), m.name.clone(), status.clone(), reload.clone());
        Callback::from(move |_: MouseEvent| {
            let (path, name, status, reload) = (path.clone(), name.clone(), status.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::delete(&path, client::http::any_answer).await {
                    Ok(_) => status.set(Some(Ok(format!("{name} was removed from the workspace")))),
                    Err(e) => status.set(Some(Err(e.message))),
                }
                reload();
            });
        })
    };
    let oninviterole = {
        let (invite_role, invite) = (invite_role.clone(), invite.clone());
        Callback::from(move |e: Event| {
            invite_role.set(if crate::browser::value(&e) == "admin" { Role::Admin } else { Role::Agent });
            invite.set(None);
        })
    };
    let oncreate = {
        let (invite_role, invite, status, base, invite_email) =
            (invite_role.clone(), invite.clone(), status.clone(), base.clone(), invite_email.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let email = invite_email.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let email = (!email.trim().is_empty()).then_some(email);
            let request = CreateInviteRequest { role: *invite_role, email };
            let (invite, status, path) = (invite.clone(), status.clone(), format!("{base}/invites"));
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::post_json(&path, &request, Invite::from_json).await {
                    Ok(created) => {
                        invite.set(Some(created));
                        status.set(request.email.map(|to| Ok(format!("Invite emailed to {to}."))));
                    }
                    Err(e) => status.set(Some(Err(e.message))),
                }
            });
        })
    };
    let row = |m: &Member| {
        let editable = manage && m.role != Role::Owner && m.email != props.me.email;
        let you = m.email == props.me.email;
        html! {
            <tr>
                <td data-label="Name">{ &m.name }if you { <span class="tag">{ "You" }</span> }</td>
                <td data-label="Email">{ m.email.as_str() }</td>
                <td data-label="Role">
                    if editable {
                        <select aria-label={format!("Role for {}", m.name)} onchange={change_role(m)}>
                            <option value="agent" selected={m.role == Role::Agent}>{ "Agent" }</option>
                            <option value="admin" selected={m.role == Role::Admin}>{ "Admin" }</option>
                        </select>
                    } else {
                        { m.role.label() }
                    }
                </td>
                <td class="row-actions">
                    if editable {
                        <button type="button" class="ghost danger" aria-label={format!("Remove {}", m.name)} onclick={remove(m)}>{ "Remove" }</button>
                    }
                </td>
            </tr>
        }
    };
    html! {
        <section class="admin-page" aria-labelledby="team-title">
            <header class="page-header">
                <h2 id="team-title">{ "Team" }</h2>
                <p class="hint">{ "Admins can change settings and the team; agents answer conversations." }</p>
            </header>
            <SaveStatus status={(*status).clone()} />
            <section class="card">
                { match &*members {
                    None => html! { <p role="status">{ "Loading members…" }</p> },
                    Some(Err(message)) => html! { <p class="error" role="alert">{ message }</p> },
                    Some(Ok(list)) => html! {
                        <table class="members">
                            <thead><tr>
                                <th scope="col">{ "Name" }</th><th scope="col">{ "Email" }</th><th scope="col">{ "Role" }</th>
                                <th scope="col"><span class="visually-hidden">{ "Actions" }</span></th>
                            </tr></thead>
                            <tbody>{ for list.iter().map(row) }</tbody>
                        </table>
                    },
                } }
            </section>
            if manage {
                <section class="card" aria-labelledby="invite-title">
                    <h3 id="invite-title">{ "Invite someone" }</h3>
                    <form class="invite-form" onsubmit={oncreate}>
                        <Field id="invite-role" label="Role">
                            <select id="invite-role" onchange={oninviterole}>
                                <option value="agent" selected={*invite_role == Role::Agent}>{ "Agent" }</option>
                                <option value="admin" selected={*invite_role == Role::Admin}>{ "Admin" }</option>
                            </select>
                        </Field>
                        <Field id="invite-email" label="Email (optional)" hint="We email the link there; or leave it empty and send the link yourself.">
                            <input id="invite-email" ref={invite_email} type="email" autocomplete="off" aria-describedby="invite-email-hint" />
                        </Field>
                        <button type="submit" class="primary">{ "Create invite" }</button>
                    </form>
                    if let Some(created) = &*invite {
                        <CopyField id="invite-link" label="Invite link" value={created.url.clone()} button="Copy link" />
                        <p class="hint">{ format!("Works once, for {}, until {}. Send it privately: whoever opens it can join.",
                            crate::forms::role_phrase(created.role), crate::browser::when(created.expires_at)) }</p>
                    } else {
                        <p class="hint">{ "A link that works once and expires. Send it to the person you want to add." }</p>
                    }
                </section>
            } else {
                <p class="page-note">{ "Only owners and admins can change roles or invite people." }</p>
            }
        </section>
    }
}
