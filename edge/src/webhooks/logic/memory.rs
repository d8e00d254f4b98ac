//! [`HookStore`] in memory, for the native tests: the same rules as the SQL in `store.rs`.

use super::{EndpointRow, HookStore};
use crate::error::EdgeResult;
use crate::webhooks::{Delivery, DeliveryState};
use shared::VisitorId;

#[derive(Default)]
pub struct MemoryHooks {
    pub endpoints: Vec<EndpointRow>,
    pub deliveries: Vec<Delivery>,
    pub withheld: Vec<(VisitorId, String)>,
}

impl MemoryHooks {
    fn enabled(&self, endpoint: &str) -> bool {
        self.endpoints.iter().any(|r| r.endpoint.id == endpoint && r.endpoint.disabled.is_none())
    }
}

impl MemoryHooks {
    /// Pending deliveries of enabled endpoints that no earlier one of their order key holds back.
    fn heads(&self) -> impl Iterator<Item = &Delivery> {
        let pending = |d: &&Delivery| d.state == DeliveryState::Pending && self.enabled(&d.endpoint);
        self.deliveries.iter().filter(pending).filter(move |d| {
            d.order.is_none()
                || !self
                    .deliveries
                    .iter()
                    .filter(pending)
                    .any(|e| e.endpoint == d.endpoint && e.order == d.order && e.id < d.id)
        })
    }
}

impl HookStore for MemoryHooks {
    fn endpoints(&self) -> EdgeResult<Vec<EndpointRow>> {
        Ok(self.endpoints.clone())
    }

    fn put_endpoint(&mut self, row: &EndpointRow) -> EdgeResult<()> {
        match self.endpoints.iter_mut().find(|r| r.endpoint.id == row.endpoint.id) {
            Some(r) => *r = row.clone(),
            None => self.endpoints.push(row.clone()),
        }
        Ok(())
    }

    fn remove_endpoint(&mut self, id: &str) -> EdgeResult<()> {
        self.endpoints.retain(|r| r.endpoint.id != id);
        self.deliveries.retain(|d| d.endpoint != id);
        Ok(())
    }

    fn insert_delivery(&mut self, d: &Delivery) -> EdgeResult<Option<i64>> {
        if self.deliveries.iter().any(|x| x.endpoint == d.endpoint && x.event_id == d.event_id) {
            return Ok(None);
        }
        let id = self.deliveries.iter().map(|x| x.id).max().unwrap_or(0) + 1;
        self.deliveries.push(Delivery { id, ..d.clone() });
        Ok(Some(id))
    }

    fn update_delivery(&mut self, d: &Delivery) -> EdgeResult<()> {
        if let Some(x) = self.deliveries.iter_mut().find(|x| x.id == d.id) {
            *x = d.clone();
        }
        Ok(())
    }

    fn delivery(&self, id: i64) -> EdgeResult<Option<Delivery>> {
        Ok(self.deliveries.iter().find(|d| d.id == id).cloned())
    }

    fn due(&self, now: i64, limit: usize) -> EdgeResult<Vec<Delivery>> {
        Ok(self.heads().filter(|d| d.due_at <= now).take(limit).cloned().collect())
    }

    fn next_due(&self) -> EdgeResult<Option<i64>> {
        Ok(self.heads().map(|d| d.due_at).min())
    }

    fn deliveries(&self, endpoint: &str, limit: usize) -> EdgeResult<Vec<Delivery>> {
        Ok(self.deliveries.iter().rev().filter(|d| d.endpoint == endpoint).take(limit).cloned().collect())
    }

    fn due_again(&mut self, endpoint: &str, at: i64) -> EdgeResult<()> {
        for d in self.deliveries.iter_mut().filter(|d| d.endpoint == endpoint && d.state == DeliveryState::Pending) {
            d.due_at = at;
        }
        Ok(())
    }

    fn prune(&mut self, before: i64) -> EdgeResult<()> {
        self.deliveries.retain(|d| d.state == DeliveryState::Pending || d.last_at.unwrap_or(d.created_at) >= before);
        Ok(())
    }

    fn withhold(&mut self, visitor: &VisitorId, why: Option<&str>) -> EdgeResult<()> {
        self.withheld.retain(|(v, _)| v != visitor);
        self.withheld.extend(why.map(|w| (visitor.clone(), w.to_owned())));
        Ok(())
    }

    fn withheld(&self, visitor: &VisitorId) -> EdgeResult<Option<String>> {
        Ok(self.withheld.iter().find(|(v, _)| v == visitor).map(|(_, w)| w.clone()))
    }

    fn drop_visitor(&mut self, visitor: &VisitorId, pending_only: bool) -> EdgeResult<u32> {
        let about = |d: &Delivery| d.visitor.as_ref() == Some(visitor);
        self.deliveries.retain(|d| !(about(d) && (!pending_only || d.state == DeliveryState::Pending)));
        Ok(self.deliveries.iter().filter(|d| about(d)).count() as u32)
    }
}
