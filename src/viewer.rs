//! A layer above the vault: an attachment shown inside the app, as an image in memory
//! the webview can draw without a file or a URL it could cache. Images go as they are
//! (PNG or JPEG); a PDF's pages are rendered here by hayro (pure Rust, by krilla's
//! author) into PNG, one page per call. Nothing is written anywhere: the file is read
//! from its sealed chunks into memory (at most 25 MiB) and dropped after the call.

use crate::error::{Error, Refusal, Result};
use crate::records::MediaType;
use crate::vault::Vault;
use serde::Serialize;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The width a PDF page is rendered at, in pixels, when the caller asks for more or
/// less: enough to read a scanned form on a large screen, small enough to stay quick.
const MAX_WIDTH: u32 = 2400;
/// The most pixels one rendered page may have: an A4 page at the widest, about 33 MB of RGBA.
const MAX_PAGE_PIXELS: f64 = 2400.0 * 3400.0;
const MIN_WIDTH: u32 = 200;

/// One page of an attachment as an image.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AttachmentPage {
    /// `image/png` or `image/jpeg`.
    pub media_type: &'static str,
    /// The image, base64-encoded (the webview shows it as a `data:` URL, in memory).
    pub base64: String,
    /// From 1.
    pub page: u32,
    pub pages: u32,
}

/// Page `page` (from 1) of attachment `id`: an image attachment as it is (page 1 of 1),
/// a PDF's page rendered `width` pixels wide.
pub fn attachment_page(vault: &Vault, id: &str, page: u32, width: u32) -> Result<AttachmentPage> {
    let mut content = Zeroizing::new(Vec::new());
    let attachment = vault.read_attachment(id, &mut *content)?;
    let encode = |bytes: &[u8]| data_encoding::BASE64.encode(bytes);
    match attachment.media_type {
        MediaType::Png | MediaType::Jpeg => Ok(AttachmentPage {
            media_type: attachment.media_type.mime(),
            base64: encode(&content),
            page: 1,
            pages: 1,
        }),
        MediaType::Pdf => {
            let not_viewable = || Error::Refused(Refusal::AttachmentNotViewable);
            // hayro keeps its own copy; ours is wiped when dropped.
            let pdf = hayro::hayro_syntax::Pdf::new(Arc::new(content.to_vec()))
                .map_err(|_| not_viewable())?;
            let pages = pdf.pages();
            let count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
            if count == 0 {
                return Err(not_viewable());
            }
            let index = page.clamp(1, count);
            let Some(chosen) = pages.get(index as usize - 1) else {
                return Err(not_viewable());
            };
            let (page_width, page_height) = chosen.render_dimensions();
            let mut scale = width.clamp(MIN_WIDTH, MAX_WIDTH) as f32 / page_width.max(1.0);
            // A hostile page (thin and endlessly tall) must not make a giant image: cap
            // the pixels, whatever the shape.
            let pixels =
                f64::from(page_width.max(1.0) * scale) * f64::from(page_height.max(1.0) * scale);
            if pixels > MAX_PAGE_PIXELS {
                scale *= (MAX_PAGE_PIXELS / pixels).sqrt() as f32;
            }
            let pixmap = hayro::render(
                chosen,
                &hayro::RenderCache::new(),
                &hayro::hayro_interpret::InterpreterSettings::default(),
                &hayro::RenderSettings::default(),
                &hayro::PixmapSettings {
                    x_scale: scale,
                    y_scale: scale,
                    bg_color: hayro::vello_cpu::color::palette::css::WHITE,
                },
            );
            let png = Zeroizing::new(pixmap.into_png().map_err(|_| not_viewable())?);
            Ok(AttachmentPage {
                media_type: "image/png",
                base64: encode(&png),
                page: index,
                pages: count,
            })
        }
    }
}
