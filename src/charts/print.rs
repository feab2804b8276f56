//! The charts' colours on paper, for documents: what the app's themes do with CSS
//! variables, fixed.

/// The vitals chart's colours on paper (documents add it to [`PRINT_STYLE`]).
pub const VITALS_PRINT_STYLE: &str = "
.grid { stroke: #e2e2e2; }
.frame { fill: none; stroke: #bbbbbb; }
.legend-label { fill: #1a1a1a; }
.marker-label { fill: #1d5580; font-weight: bold; }
.discharge-marker { stroke: #2e7d32; stroke-width: 2; stroke-dasharray: 1 3; }
.bp-bar { stroke: #9a9a9a; stroke-width: 1; }
.vital-line { stroke-width: 1.5; fill: none; }
.vital-line.systolic, .vital-line.diastolic { stroke: #1a1a1a; }
.vital-line.heart-rate { stroke: #6b3fa0; stroke-dasharray: 5 3; }
.vital-line.spo2 { stroke: #1d5580; }
.vital-mark.systolic, .vital-mark.diastolic { fill: #1a1a1a; }
.vital-mark.heart-rate { fill: #ffffff; stroke: #6b3fa0; stroke-width: 2; }
.vital-mark.spo2 { fill: #1d5580; }
";

/// The charts' colours on paper: what the app's themes do with CSS variables, fixed.
pub const PRINT_STYLE: &str = "
svg { font-family: 'DejaVu Sans'; font-size: 11px; }
text { fill: #555555; }
.panel-title, .row-label { fill: #1a1a1a; font-size: 12px; font-weight: bold; }
.node-name { fill: #1a1a1a; font-size: 14px; font-weight: bold; }
.node-detail { fill: #444444; font-size: 12px; }
.axis, .tick { stroke: #bbbbbb; }
.band-0 { fill: #e3f1e3; }
.band-1 { fill: #f7efd9; }
.band-2 { fill: #f3e2bd; }
.band-3 { fill: #f4d6d6; }
.band-4 { fill: #ebbcbc; }
.band-label { font-size: 10px; }
.dosing-marker { stroke: #1d5580; stroke-width: 2; stroke-dasharray: 3 3; }
.series { stroke: #1a1a1a; stroke-width: 2; }
.point { fill: #1a1a1a; stroke: #ffffff; stroke-width: 1.5; }
.point.incomplete { fill: #ffffff; stroke: #555555; stroke-width: 2; }
.panel-note { fill: #555555; font-weight: normal; font-size: 11px; }
.point-label { fill: #1a1a1a; font-weight: bold; }
.dose-band.psycholytic { fill: #e3f1e3; }
.dose-band.psychedelic { fill: #f3e2bd; }
.prescribed-range { fill: none; stroke: #1d5580; stroke-width: 2; stroke-dasharray: 6 3; }
.range-label { fill: #1d5580; }
.dose-bar { fill: #1d5580; }
.dose-bar.outside { fill: #a31a1a; }
.dose-bar.flooding { stroke: #805200; stroke-width: 3; }
.cell { fill: #f0f0f0; }
.cell.level-1 { fill: #d5e3ee; }
.cell.level-2 { fill: #b7cfe2; }
.cell.level-3 { fill: #8fb3cf; }
.cell.level-4, .cell.level-5 { fill: #6995b8; }
.cell-label { fill: #1a1a1a; font-weight: bold; }
.protector-box { fill: #ffffff; stroke: #555555; stroke-width: 1.2; }
.protector-box.signal-green { fill: #e3f1e3; stroke: #2e7d32; stroke-width: 2; }
.protector-box.signal-yellow { fill: #f7efd9; stroke: #805200; stroke-width: 2; }
.protector-box.signal-red { fill: #f4d6d6; stroke: #a31a1a; stroke-width: 3; }
.protected-box { fill: #f0f0f0; stroke: #555555; stroke-width: 1.2; }
.protects-line { stroke: #555555; stroke-width: 1.5; }
.protects-head { fill: #555555; }
.map-node { fill: #ffffff; stroke: #555555; stroke-width: 1.2; }
.map-node.added { fill: #e3f1e3; stroke: #1a1a1a; stroke-width: 3; }
.map-node.removed { fill: #f0f0f0; stroke: #555555; stroke-width: 1.5; stroke-dasharray: 5 3; }
.map-node.changed { fill: #f7efd9; stroke: #805200; stroke-width: 2; }
.map-node-name { fill: #1a1a1a; font-size: 13px; font-weight: bold; }
.map-node-detail { fill: #444444; font-size: 11px; }
.map-link { stroke: #999999; stroke-width: 1.2; }
.map-link.added { stroke: #1a1a1a; stroke-width: 2.5; }
.map-link.removed { stroke: #777777; stroke-width: 1.5; stroke-dasharray: 5 3; }
.map-link.changed { stroke: #805200; stroke-width: 2; }
.map-link-label { fill: #1a1a1a; font-size: 11px; }
";
