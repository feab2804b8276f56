//! WebKitGTK settings for an app that shows one local page: no compositing, and no cache
//! of what the page loads. Measured in docs/BENCHMARKS.md; the cache in docs/SECURITY.md.

use tauri::{Manager, Runtime};
use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};

/// Tunes the main window's webview (created from tauri.conf.json before `setup` runs).
pub fn apply<R: Runtime>(app: &tauri::App<R>) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    // Fails only when the window is already gone: there is nothing to tune then.
    let _ = window.with_webview(|platform| {
        let webview = platform.inner();
        if let Some(settings) = WebViewExt::settings(&webview) {
            // Compositing keeps GPU layers and their buffers (software-rendered where
            // there is no GPU): it costs about 80 MB at the first screen and 140 MB with a
            // 160-part map, and the screens draw the same without it.
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
        if let Some(context) = webview.context() {
            // One local page, no navigation: WebKit's memory and disk caches of loaded
            // resources (and its back-forward cache) serve nothing and may hold what the
            // clinician saw.
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
}
