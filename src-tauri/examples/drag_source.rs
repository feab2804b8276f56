//! End-to-end tests only: a small GTK window that drags the file named on its command
//! line (as a `text/uri-list`, the way a file manager does), so the test can drop a real
//! file on the app's window with xdotool and see where its path goes.

#[cfg(target_os = "linux")]
fn main() {
    use gtk::prelude::*;
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: drag_source FILE");
        std::process::exit(2);
    };
    if gtk::init().is_err() {
        eprintln!("no display");
        std::process::exit(1);
    }
    let Ok(uri) = gtk::glib::filename_to_uri(&path, None) else {
        eprintln!("not a path: {path}");
        std::process::exit(2);
    };
    let window = gtk::Window::new(gtk::WindowType::Toplevel);
    window.set_title("kapnotes drag source");
    window.set_default_size(160, 120);
    let button = gtk::Button::with_label("drag me");
    let targets = [gtk::TargetEntry::new(
        "text/uri-list",
        gtk::TargetFlags::OTHER_APP,
        0,
    )];
    button.drag_source_set(
        gtk::gdk::ModifierType::BUTTON1_MASK,
        &targets,
        gtk::gdk::DragAction::COPY,
    );
    button.connect_drag_data_get(move |_, _, data, _, _| {
        data.set_uris(&[uri.as_str()]);
    });
    window.add(&button);
    window.connect_destroy(|_| gtk::main_quit());
    window.show_all();
    println!("ready");
    gtk::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {}
