// The effect report as an A4 PDF: cairo's PDF surface, text laid out by pango
// (DejaVu Sans from Debian's fonts-dejavu-core), so the text is selectable and
// `pdftotext` reads every figure back. A minimal drawing of its own for now; the
// factsheet's drawing code (branch factsheet) is meant to replace it.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <fmt/format.h>

#include "effect/effect_report.h"

namespace vsv {

namespace {

constexpr double kWidth = 595.276, kHeight = 841.89;  // A4 in points
constexpr double kMargin = 56.0;

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class Page {
 public:
  explicit Page(cairo_t* cr) : cr_(cr) {}

  // Draws `text` at the left margin (or `x`) and returns its height.
  double Text(const std::string& text, double size, bool bold, double x, double width, double y,
              bool right = false) {
    PangoLayout* layout = pango_cairo_create_layout(cr_);
    PangoFontDescription* font = pango_font_description_from_string(
        fmt::format("DejaVu Sans {}{}", bold ? "Bold " : "", size).c_str());
    pango_layout_set_font_description(layout, font);
    pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    if (right) pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT);
    pango_layout_set_text(layout, text.c_str(), -1);
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout);
    pango_font_description_free(font);
    g_object_unref(layout);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  void Need(double height) {
    if (y_ + height <= kHeight - kMargin) return;
    cairo_show_page(cr_);
    y_ = kMargin;
  }

  void Heading(const std::string& text, double size = 12) {
    Need(size * 3);
    y_ += 6;
    y_ += Text(text, size, true, kMargin, kWidth - 2 * kMargin, y_) + 4;
  }

  void Row(const std::string& label, const std::string& value) {
    Need(14);
    const double value_width = 110, label_width = kWidth - 2 * kMargin - value_width - 8;
    const double h = Text(label, 9, false, kMargin, label_width, y_);
    Text(value, 9, false, kWidth - kMargin - value_width, value_width, y_, true);
    y_ += h + 2;
  }

  void Paragraph(const std::string& text) {
    Need(14);
    y_ += Text(text, 9, false, kMargin, kWidth - 2 * kMargin, y_) + 4;
  }

 private:
  cairo_t* cr_;
  double y_ = kMargin;
};

const char* SectionTitle(const std::string& s, bool en) {
  if (s == "5") return en ? "Targets and results (the count)" : "Streefwaarden en resultaten (de telling)";
  if (s == "3A") return en ? "3A Approach and intake" : "3A Benadering en intake";
  if (s == "3B") return en ? "3B/3C Trajectories ended, by destination" : "3B/3C Beëindigde trajecten naar bestemming";
  if (s == "3D") return en ? "3D Earlier leavers (oud-vsv'ers)" : "3D Oud-vsv'ers";
  if (s == "mbo-verklaring") return en ? "Use of the mbo-verklaring" : "Inzet van de mbo-verklaring";
  if (s == "4") return en ? "4 Programme: spending and participants per measure"
                          : "4 Programma: bestedingen en deelnemers per maatregel";
  return "";
}

}  // namespace

Result<std::string> EffectReportPdf(const EffectReport& r, bool en) {
  std::string out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(Append, &out, kWidth, kHeight);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 0, 0, 0);
  Page page(cr);
  page.Heading(fmt::format("{} {:02d} {} — {}", en ? "Effect report region" : "Effectrapportage regio", r.region,
                           r.region_name, r.year),
               16);
  page.Paragraph(fmt::format("{} {}-{}. {}", en ? "Count: the official count, school year" : "Telling: de officiële telling, schooljaar",
                             r.school_year, r.school_year + 1,
                             en ? "Register: the caseworkers' register, calendar year " + std::to_string(r.year) + "."
                                : "Register: het RMC-register, kalenderjaar " + std::to_string(r.year) + "."));
  std::string section;
  for (const EffectFigure& f : r.figures) {
    if (f.section != section) {
      section = f.section;
      page.Heading(SectionTitle(section, en));
    }
    page.Row(en ? f.label_en : f.label_nl, FigureText(f));
  }
  page.Heading(en ? "Programme topics without an agreement" : "Programmathema's zonder afspraak");
  if (r.missing_topics.empty()) page.Paragraph(en ? "None." : "Geen.");
  for (const std::string& m : r.missing_topics) page.Paragraph("• " + m);
  page.Heading(en ? "Texts" : "Toelichting");
  for (const followup::ReportText& t : r.texts) {
    page.Heading(std::string(en ? followup::ReportTextLabelEn(t.section) : followup::ReportTextLabelNl(t.section)), 10);
    page.Paragraph(t.text.empty() ? (en ? "(still empty)" : "(nog leeg)") : t.text);
  }
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) return MakeError(fmt::format("PDF: {}", cairo_status_to_string(status)));
  return out;
}

}  // namespace vsv
