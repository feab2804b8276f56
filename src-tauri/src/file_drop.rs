//! Files dropped on the window are taken here, in the shell, and their paths never
//! reach the webview.
//!
//! Tauri's own drop handling (on unless `dragDropEnabled` is false) sends every
//! dropped path to the page as the `tauri://drag-enter` and `tauri://drag-drop` events
//! (to any script listening: `core:event:allow-listen` names no events) and adds them
//! to its file-system scope. tauri.conf.json turns it off for the main window, and
//! instead this module connects to the WebKitGTK view's own GTK drag signals, as wry
//! does: the file URIs arrive in `drag-data-received`, and `drag-drop` is answered here
//! and stopped, so WebKit never turns the drop into a DOM `drop` event (no `File` for a
//! script to read). The paths are kept in [`DroppedFiles`]; the page hears only how
//! many files and their names (`files-dropped`), and asks the shell to attach them.

use serde::Serialize;
use std::path::PathBuf;
use std::sync::Mutex;

/// The files last dropped on the window, waiting for the clinician to attach them.
#[derive(Default)]
pub struct DroppedFiles(Mutex<Vec<PathBuf>>);

impl DroppedFiles {
    pub fn take(&self) -> Vec<PathBuf> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn replace(&self, paths: Vec<PathBuf>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = paths;
    }
}

/// What the page hears of a drop: names, never paths.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FilesDropped {
    pub names: Vec<String>,
}

impl FilesDropped {
    fn of(paths: &[PathBuf]) -> Self {
        FilesDropped {
            names: paths
                .iter()
                .map(|p| {
                    p.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

/// Takes drops on the main window's webview (see the module's header).
#[cfg(target_os = "linux")]
pub fn watch<R: tauri::Runtime>(app: &tauri::App<R>) {
    use gtk::prelude::WidgetExt;
    use std::cell::RefCell;
    use std::rc::Rc;
    use tauri::{Emitter, Manager};

    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let handle = app.handle().clone();
    // Fails only when the window is already gone: nothing can be dropped on it then.
    let _ = window.with_webview(move |platform| {
        let webview = platform.inner();
        let received: Rc<RefCell<Vec<PathBuf>>> = Rc::default();
        {
            let received = received.clone();
            // WebKit asks for the data while the files are dragged over it; 2 is its
            // target for a list of URIs (wry reads the same).
            webview.connect_drag_data_received(move |_, _, _, _, data, info, _| {
                if info == 2 {
                    *received.borrow_mut() = data
                        .uris()
                        .iter()
                        .filter_map(|uri| gtk::glib::filename_from_uri(uri).ok())
                        .map(|(path, _)| path)
                        .collect();
                }
            });
        }
        webview.connect_drag_drop(move |_, context, _, _, time| {
            let paths = received.take();
            if paths.is_empty() {
                // Not files: the page's own drag and drop.
                return false;
            }
            context.drop_finish(true, time);
            let dropped = FilesDropped::of(&paths);
            handle.state::<DroppedFiles>().replace(paths);
            let _ = handle.emit("files-dropped", dropped);
            // Handled: WebKit's own handler, which would give the page the files,
            // does not run.
            true
        });
    });
}

#[cfg(test)]
mod tests {
    /// Tauri's own handler would hand every dropped path to the page.
    #[test]
    fn tauris_drop_handler_is_off_for_the_main_window() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let main = &config["app"]["windows"][0];
        assert_eq!(main["label"], "main");
        assert_eq!(main["dragDropEnabled"], false);
    }

    #[test]
    fn the_page_hears_names_only() {
        let dropped = super::FilesDropped::of(&["/home/c/Scans/consent.pdf".into()]);
        let json = serde_json::to_string(&dropped).unwrap();
        assert_eq!(json, r#"{"names":["consent.pdf"]}"#);
    }
}
