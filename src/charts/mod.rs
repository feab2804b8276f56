//! The course drawn as pictures, once, as SVG: the app shows these strings and printed
//! documents can embed the same ones. Colours come from CSS classes (the app's themes
//! style them; a document styles them for print); every series is also told apart by
//! a marker shape or a written value, never by colour alone. No script, no external
//! reference, and every text is escaped.

mod axis;
mod course;
mod map;
mod print;
mod vitals;

pub use course::{
    MOST_PROTECTORS_DRAWN, dose_chart, measures_chart, protector_figure, self_energy_chart,
};
pub use map::{MOST_MAP_PARTS_DRAWN, map_then_and_now};
pub use print::{PRINT_STYLE, VITALS_PRINT_STYLE};
pub use vitals::vitals_chart;
