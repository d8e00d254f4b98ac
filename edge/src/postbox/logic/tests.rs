use super::*;

/// The postbox in memory.
#[derive(Default)]
struct Memory {
    pending: Vec<Pending>,
    log: Vec<SentMail>,
    next_id: i64,
}

impl PostboxStore for Memory {
    fn insert(&mut self, mail: &Pending) -> EdgeResult<i64> {
        self.next_id += 1;
        self.pending.push(Pending { id: self.next_id, ..mail.clone() });
        Ok(self.next_id)
    }
    fn due(&self, now: i64) -> EdgeResult<Vec<Pending>> {
        let mut due: Vec<_> = self.pending.iter().filter(|p| p.due_at <= now).cloned().collect();
        due.sort_by_key(|p| (p.due_at, p.id));
        Ok(due)
    }
    fn next_due(&self) -> EdgeResult<Option<i64>> {
        Ok(self.pending.iter().map(|p| p.due_at).min())
    }
    fn reschedule(&mut self, id: i64, attempts: u32, due_at: i64) -> EdgeResult<()> {
        for p in self.pending.iter_mut().filter(|p| p.id == id) {
            p.attempts = attempts;
            p.due_at = due_at;
        }
        Ok(())
    }
    fn remove(&mut self, id: i64) -> EdgeResult<()> {
        self.pending.retain(|p| p.id != id);
        Ok(())
    }
    fn clear(&mut self, site: Option<&SiteId>) -> EdgeResult<usize> {
        let of = |s: &Option<SiteId>| site.is_none_or(|site| s.as_ref() == Some(site));
        self.log.retain(|l| !of(&l.site));
        let before = self.pending.len();
        self.pending.retain(|p| !of(&p.site));
        Ok(before - self.pending.len())
    }
    fn append_log(&mut self, entry: &SentMail) -> EdgeResult<()> {
        self.log.push(entry.clone());
        Ok(())
    }
    fn log(&self) -> EdgeResult<Vec<SentMail>> {
        Ok(self.log.clone())
    }
    fn prune_log(&mut self, before: i64) -> EdgeResult<()> {
        self.log.retain(|l| l.at >= before);
        Ok(())
    }
    fn queued_since(&self, kind: MailKind, since: i64) -> EdgeResult<u32> {
        let pending = self.pending.iter().filter(|p| p.kind == kind && p.queued_at >= since).count();
        let logged = self.log.iter().filter(|l| l.kind == kind && l.at >= since && l.status != Status::Refused).count();
        Ok((pending + logged) as u32)
    }
}

fn mail(kind: MailKind, subject: &str) -> Pending {
    Pending {
        id: 0,
        kind,
        site: None,
        from: "notifications@provixchat.test".into(),
        subject: subject.into(),
        raw: format!("Subject: {subject}\r\n\r\nbody"),
        queued_at: 0,
        attempts: 0,
        due_at: 0,
    }
}

fn at(store: &mut Memory, now: i64) -> Postbox<'_, Memory> {
    Postbox { store, now }
}

#[test]
fn a_queued_mail_is_due_at_once_and_logged_once_sent() {
    let mut store = Memory::default();
    let (queued, wake) = at(&mut store, 1_000).queue(mail(MailKind::PasswordReset, "Reset")).unwrap();
    assert!(queued);
    assert_eq!(wake, Some(WakeAt(1_000)));
    let due = at(&mut store, 1_000).due().unwrap();
    assert_eq!(due.len(), 1);
    at(&mut store, 1_010).delivered(&due[0]).unwrap();
    assert!(at(&mut store, 1_010).due().unwrap().is_empty());
    assert_eq!(at(&mut store, 1_010).next_wake().unwrap(), None, "nothing left: no alarm");
    assert_eq!(
        store.log,
        [SentMail {
            at: 1_010,
            kind: MailKind::PasswordReset,
            site: None,
            subject: "Reset".into(),
            status: Status::Sent
        }]
    );
}

#[test]
fn a_failed_send_is_retried_later_with_growing_waits_then_given_up() {
    let mut store = Memory::default();
    at(&mut store, 0).queue(mail(MailKind::Invite, "Join")).unwrap();
    let mut now = 0;
    let mut waits = Vec::new();
    for _ in 0..MAX_ATTEMPTS {
        let due = at(&mut store, now).due().unwrap();
        assert_eq!(due.len(), 1, "due again at {now}");
        at(&mut store, now).failed(&due[0]).unwrap();
        match at(&mut store, now).next_wake().unwrap() {
            Some(WakeAt(next)) => {
                assert!(at(&mut store, next - 1).due().unwrap().is_empty(), "not due before its time");
                waits.push(next - now);
                now = next;
            }
            None => break,
        }
    }
    assert_eq!(waits.len() as u32, MAX_ATTEMPTS - 1);
    assert!(waits.windows(2).all(|w| w[0] < w[1]), "each wait longer: {waits:?}");
    assert!(store.pending.is_empty(), "given up");
    assert_eq!(store.log.last().map(|l| l.status), Some(Status::Failed));
}

#[test]
fn a_flood_for_one_address_sends_a_handful_and_logs_the_rest_as_refused() {
    let mut store = Memory::default();
    let limit = MailKind::PasswordReset.hourly_limit();
    let mut queued = 0;
    for i in 0..50 {
        let (ok, _) = at(&mut store, i * 10).queue(mail(MailKind::PasswordReset, "Reset")).unwrap();
        queued += u32::from(ok);
    }
    assert_eq!(queued, limit);
    assert_eq!(store.log.iter().filter(|l| l.status == Status::Refused).count() as u32, 50 - limit);
    // Another kind has its own share; the same kind has one again an hour later.
    assert!(at(&mut store, 600).queue(mail(MailKind::NewDevice, "New sign-in")).unwrap().0);
    assert!(at(&mut store, LIMIT_WINDOW_MS + 500).queue(mail(MailKind::PasswordReset, "Reset")).unwrap().0);
}

#[test]
fn sent_mail_counts_toward_the_limit_after_it_left_the_queue() {
    let mut store = Memory::default();
    let limit = MailKind::VerifyEmail.hourly_limit();
    for i in 0..limit {
        at(&mut store, i as i64).queue(mail(MailKind::VerifyEmail, "Verify")).unwrap();
        let due = at(&mut store, i as i64).due().unwrap();
        at(&mut store, i as i64).delivered(&due[0]).unwrap();
    }
    assert!(!at(&mut store, 100).queue(mail(MailKind::VerifyEmail, "Verify")).unwrap().0);
}

#[test]
fn erasure_drops_pending_mail_and_the_log() {
    let mut store = Memory::default();
    at(&mut store, 0).queue(mail(MailKind::Invite, "Join")).unwrap();
    let due = at(&mut store, 0).due().unwrap();
    at(&mut store, 0).delivered(&due[0]).unwrap();
    at(&mut store, 5).queue(mail(MailKind::Invite, "Join again")).unwrap();
    assert_eq!(at(&mut store, 10).erase(None).unwrap(), 1);
    assert!(store.pending.is_empty() && store.log.is_empty());
    assert_eq!(at(&mut store, 10).next_wake().unwrap(), None);
}

#[test]
fn the_log_keeps_ninety_days() {
    let mut store = Memory::default();
    at(&mut store, 0).queue(mail(MailKind::Invite, "Old")).unwrap();
    let due = at(&mut store, 0).due().unwrap();
    at(&mut store, 0).delivered(&due[0]).unwrap();
    at(&mut store, LOG_KEPT_MS).next_wake().unwrap();
    assert_eq!(store.log.len(), 1, "kept on its last day");
    at(&mut store, LOG_KEPT_MS + 1).next_wake().unwrap();
    assert!(store.log.is_empty());
}

#[test]
fn a_late_alarm_after_erasure_sends_nothing() {
    let mut store = Memory::default();
    at(&mut store, 0).queue(mail(MailKind::PasswordReset, "Reset")).unwrap();
    at(&mut store, 1).erase(None).unwrap();
    assert!(at(&mut store, 2).due().unwrap().is_empty());
}

#[test]
fn a_sites_erasure_leaves_other_sites_mail_to_the_same_person() {
    let mut store = Memory::default();
    let (a, b) = (SiteId::parse("shop-a").unwrap(), SiteId::parse("shop-b").unwrap());
    for site in [&a, &b] {
        let mut m = mail(MailKind::VisitorReplies, "Replies");
        m.site = Some(site.clone());
        at(&mut store, 0).queue(m).unwrap();
    }
    assert_eq!(at(&mut store, 1).erase(Some(&a)).unwrap(), 1);
    assert_eq!(store.pending.iter().map(|p| p.site.clone()).collect::<Vec<_>>(), [Some(b)]);
}
