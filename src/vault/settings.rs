//! The vault's own sealed settings: the clinician, the dosing-day thresholds the
//! clinician changed, and since when dosing days are recorded in full. Each change
//! writes its own transaction with its audit entry.

use super::Vault;
use super::audit::{self, AuditAction as Action, AuditEvent};
use super::store::{self, Keys, RowMeta, Table};
use crate::error::{Internal, Result};
use crate::records::{Clinician, NoteTemplates, Timestamp};
use crate::rules::{DosingThresholds, RetentionPeriods, RuleSettings};
use rusqlite::Transaction;

impl Vault {
    /// The clinician whose records these are, if set.
    pub fn clinician(&self) -> Result<Option<Clinician>> {
        match store::load_row(&self.conn, Table::Settings, CLINICIAN_SETTING)? {
            Some((meta, sealed)) => Ok(Some(self.keys.open(Table::Settings, &meta, &sealed)?)),
            None => Ok(None),
        }
    }

    /// Sets (or clears, with `None`) the clinician printed on documents.
    pub fn set_clinician(&mut self, clinician: Option<&Clinician>) -> Result<()> {
        self.require_writable()?;
        if let Some(clinician) = clinician {
            crate::validation::validate_clinician(clinician)?;
            crate::validation::text::check_changed_clinician(
                clinician,
                self.clinician()?.as_ref(),
            )?;
        }
        let tx = self.conn.transaction()?;
        let event = write_setting_recorded(&tx, &self.keys, CLINICIAN_SETTING, clinician)?;
        audit::append(&tx, &self.keys, &[event])?;
        tx.commit()?;
        Ok(())
    }

    pub(super) fn setting<T: serde::de::DeserializeOwned>(&self, id: &str) -> Result<Option<T>> {
        match store::load_row(&self.conn, Table::Settings, id)? {
            Some((meta, sealed)) => Ok(Some(self.keys.open(Table::Settings, &meta, &sealed)?)),
            None => Ok(None),
        }
    }

    /// The dosing-day thresholds the rules use: the clinician's changes over the
    /// defaults.
    pub fn thresholds(&self) -> Result<DosingThresholds> {
        Ok(self
            .setting::<DosingThresholds>(THRESHOLDS_SETTING)?
            .unwrap_or_default())
    }

    /// Sets the dosing-day thresholds; all defaults removes the setting. A value out of
    /// its bounds, or a warning beyond its stop, is refused with its path.
    pub fn set_thresholds(&mut self, thresholds: &DosingThresholds) -> Result<()> {
        self.require_writable()?;
        let thresholds = thresholds.clone().normalized();
        thresholds.check("/thresholds")?;
        if thresholds == self.thresholds()? {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        let event = write_setting_recorded(
            &tx,
            &self.keys,
            THRESHOLDS_SETTING,
            (!thresholds.is_default()).then_some(&thresholds),
        )?;
        audit::append(&tx, &self.keys, &[event])?;
        tx.commit()?;
        Ok(())
    }

    /// When this vault gained the dosing-day record (created, or first opened for
    /// writing by a kapnotes that has it). `None` until then.
    pub fn dosing_day_since(&self) -> Result<Option<Timestamp>> {
        self.setting(DOSING_DAY_SINCE_SETTING)
    }

    /// The practice's note templates: the clinician's, or kapnotes' own when they
    /// changed none.
    pub fn note_templates(&self) -> Result<NoteTemplates> {
        Ok(self
            .setting::<NoteTemplates>(NOTE_TEMPLATES_SETTING)?
            .unwrap_or_default())
    }

    /// Sets the note templates (kapnotes' own removes the setting). Notes already
    /// written keep their sections as they are.
    pub fn set_note_templates(&mut self, templates: &NoteTemplates) -> Result<()> {
        self.require_writable()?;
        crate::validation::validate_note_templates(templates)?;
        if *templates == self.note_templates()? {
            return Ok(());
        }
        self.write_practice_setting(
            NOTE_TEMPLATES_SETTING,
            (!templates.is_default()).then_some(templates),
        )
    }

    /// How long records are kept: the clinician's periods, or the defaults.
    pub fn retention_periods(&self) -> Result<RetentionPeriods> {
        Ok(self
            .setting::<RetentionPeriods>(RETENTION_SETTING)?
            .unwrap_or_default())
    }

    /// Sets the retention periods (the defaults remove the setting).
    pub fn set_retention_periods(&mut self, periods: &RetentionPeriods) -> Result<()> {
        self.require_writable()?;
        periods.check("/retention")?;
        if *periods == self.retention_periods()? {
            return Ok(());
        }
        self.write_practice_setting(
            RETENTION_SETTING,
            (!periods.is_default()).then_some(periods),
        )
    }

    fn write_practice_setting<T: serde::Serialize>(
        &mut self,
        id: &str,
        value: Option<&T>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let event = write_setting_recorded(&tx, &self.keys, id, value)?;
        audit::append(&tx, &self.keys, &[event])?;
        tx.commit()?;
        Ok(())
    }

    /// What the rules judge by beside the records: the same for the app and the CLI.
    pub fn rule_settings(&self) -> Result<RuleSettings> {
        Ok(RuleSettings {
            thresholds: self.thresholds()?,
            dosing_day_since: self.dosing_day_since()?.map(|t| t.instant()),
        })
    }
}

pub(crate) const CLINICIAN_SETTING: &str = "clinician";

/// The dosing-day thresholds the clinician changed (no row: all defaults).
pub(crate) const THRESHOLDS_SETTING: &str = "thresholds";

/// The clinician's note templates (no row: kapnotes' own).
pub(crate) const NOTE_TEMPLATES_SETTING: &str = "note_templates";

/// The clinician's retention periods (no row: the defaults).
pub(crate) const RETENTION_SETTING: &str = "retention";

/// When the vault gained the dosing-day record; written once, never changed.
pub(crate) const DOSING_DAY_SINCE_SETTING: &str = "dosing_day_since";

/// The audit event for a change of the setting `id` (written just before).
pub(super) fn setting_event(tx: &Transaction<'_>, id: &str) -> Result<AuditEvent> {
    Ok(match store::load_row(tx, Table::Settings, id)? {
        Some((_, sealed)) => AuditEvent::new(Action::Updated)
            .record(Table::Settings, id)
            .sealed_content(&sealed),
        None => AuditEvent::new(Action::Deleted).record(Table::Settings, id),
    })
}

/// Records, once, that the vault has the dosing-day record from now on, with its audit
/// entry. A vault that already has the date keeps it.
pub(super) fn record_dosing_day_since(tx: &Transaction<'_>, keys: &Keys) -> Result<()> {
    if store::load_row(tx, Table::Settings, DOSING_DAY_SINCE_SETTING)?.is_some() {
        return Ok(());
    }
    write_setting(tx, keys, DOSING_DAY_SINCE_SETTING, Some(&Timestamp::now()))?;
    let Some((_, sealed)) = store::load_row(tx, Table::Settings, DOSING_DAY_SINCE_SETTING)? else {
        return Err(Internal::SettingNotReadBack.into());
    };
    let event = AuditEvent::new(Action::Created)
        .record(Table::Settings, DOSING_DAY_SINCE_SETTING)
        .sealed_content(&sealed)
        .detail("the date from which dosing days are recorded in full");
    audit::append(tx, keys, &[event])
}

/// Writes (or deletes, with `None`) the sealed setting `id`.
/// Writes a setting (or removes it, with `None`) and returns its audit entry, to be
/// appended in the same transaction.
pub(super) fn write_setting_recorded<T: serde::Serialize>(
    tx: &Transaction<'_>,
    keys: &Keys,
    id: &str,
    value: Option<&T>,
) -> Result<AuditEvent> {
    write_setting(tx, keys, id, value)?;
    setting_event(tx, id)
}

pub(super) fn write_setting<T: serde::Serialize>(
    tx: &Transaction<'_>,
    keys: &Keys,
    id: &str,
    value: Option<&T>,
) -> Result<()> {
    let existing = store::load_row(tx, Table::Settings, id)?;
    match (value, existing) {
        (None, Some(_)) => store::delete(tx, Table::Settings, id)?,
        (None, None) => {}
        (Some(value), Some((mut meta, _))) => {
            meta.revision += 1;
            let sealed = keys.seal(Table::Settings, &meta, value)?;
            store::update(tx, Table::Settings, &meta, &sealed)?;
        }
        (Some(value), None) => {
            let meta = RowMeta {
                id: id.into(),
                parent: None,
                creation_order: store::next_creation_order(tx, Table::Settings)?,
                revision: 1,
            };
            let sealed = keys.seal(Table::Settings, &meta, value)?;
            store::insert(tx, Table::Settings, &meta, &sealed)?;
        }
    }
    Ok(())
}
