//! Locking the vault when the screen locks. On Linux the desktop reports it on D-Bus:
//! KDE (freedesktop), GNOME, Xfce, Cinnamon and MATE send `ActiveChanged(true)` from
//! their screen saver interface on the session bus, and systemd-logind sends `Lock` to
//! the session (`loginctl lock-session`, and most desktops' lock keys). Either one asks
//! the front end to save and lock; if it has not within a few seconds, the shell locks
//! anyway.
//! A desktop that reports neither simply never triggers it: the idle lock still works.

use crate::state::AppState;
use tauri::{AppHandle, Emitter, Manager};

/// How long the front end gets to save what is being typed before the shell locks.
const SAVE_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Asks the front end to save and lock, and locks anyway after [`SAVE_GRACE`].
pub fn lock_for_screen_lock(app: &AppHandle) {
    if !app.state::<AppState>().is_unlocked() {
        return;
    }
    let _ = app.emit("lock-requested", ());
    let handle = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(SAVE_GRACE);
        let state = handle.state::<AppState>();
        if state.is_unlocked() {
            crate::commands::backups::back_up_and_lock(&state);
            let _ = handle.emit("vault-locked", ());
        }
    });
}

/// Subscribes to the desktop's screen-lock signals. Called once, on the main thread,
/// whose GLib main loop then delivers them.
#[cfg(target_os = "linux")]
pub fn watch(app: &AppHandle) {
    use gio::{BusType, DBusSignalFlags};

    let mut connections = Vec::new();
    if let Ok(session) = gio::bus_get_sync(BusType::Session, gio::Cancellable::NONE) {
        for interface in [
            "org.freedesktop.ScreenSaver",
            "org.gnome.ScreenSaver",
            "org.mate.ScreenSaver",
            "org.cinnamon.ScreenSaver",
            "org.xfce.ScreenSaver",
        ] {
            let app = app.clone();
            session.signal_subscribe(
                None,
                Some(interface),
                Some("ActiveChanged"),
                None,
                None,
                DBusSignalFlags::NONE,
                move |_, _, _, _, _, parameters| {
                    if parameters.get::<(bool,)>() == Some((true,)) {
                        lock_for_screen_lock(&app);
                    }
                },
            );
        }
        connections.push(session);
    }

    // logind's Lock goes to one session's object: find ours.
    let system = gio::bus_get_sync(BusType::System, gio::Cancellable::NONE);
    if let Ok(system) = system {
        subscribe_to_logind_lock(app, &system);
        connections.push(system);
    }
    // Subscriptions last as long as their connection: keep both for the app's life.
    app.manage(Watching(connections));
}

#[cfg(target_os = "linux")]
struct Watching(#[allow(dead_code)] Vec<gio::DBusConnection>);

#[cfg(target_os = "linux")]
fn subscribe_to_logind_lock(app: &AppHandle, system: &gio::DBusConnection) {
    use gio::prelude::*;
    use gio::{DBusCallFlags, DBusSignalFlags};

    let ours = system.call_sync(
        Some("org.freedesktop.login1"),
        "/org/freedesktop/login1",
        "org.freedesktop.login1.Manager",
        "GetSessionByPID",
        Some(&(std::process::id(),).to_variant()),
        None,
        DBusCallFlags::NONE,
        1000,
        gio::Cancellable::NONE,
    );
    let Some(path) = ours
        .ok()
        .and_then(|reply| reply.child_value(0).get::<gio::glib::variant::ObjectPath>())
    else {
        return;
    };
    let app = app.clone();
    system.signal_subscribe(
        Some("org.freedesktop.login1"),
        Some("org.freedesktop.login1.Session"),
        Some("Lock"),
        Some(path.as_str()),
        None,
        DBusSignalFlags::NONE,
        move |_, _, _, _, _, _| lock_for_screen_lock(&app),
    );
}

#[cfg(not(target_os = "linux"))]
pub fn watch(_app: &AppHandle) {}
