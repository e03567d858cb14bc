import type { SettingField } from "../../playground-data.js";
import { el } from "../dom.js";

/** A setting's input, labelled, with its description as the tooltip. */
function input(field: SettingField): { label: HTMLElement; read: () => string | number | null } {
  const id = `setting-${field.name}`;
  let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  if (field.kind === "choice") {
    control = el(
      "select",
      { id, name: field.name },
      field.options.map((option) => el("option", { value: option }, option)),
    );
    if (field.default !== null) control.value = String(field.default);
  } else if (field.kind === "text") {
    control = el("textarea", { id, name: field.name, rows: 2, placeholder: "(unset)" });
    if (field.default !== null) control.value = String(field.default);
  } else {
    control = el("input", {
      id,
      name: field.name,
      type: "number",
      min: field.min,
      max: field.max,
      step: field.kind === "integer" ? 1 : "any",
      placeholder: field.default === null ? "(unset)" : null,
    });
    if (field.default !== null) control.value = String(field.default);
  }
  const label = el("label", { for: id, title: field.description }, field.name, control);
  const read = () => {
    const value = control.value.trim();
    if (value === "" || value === String(field.default ?? "")) return null; // the server's default
    return field.kind === "integer" || field.kind === "number" ? Number(value) : value;
  };
  return { label, read };
}

/** The settings form: main fields shown, the others folded; `read` gives what differs from the defaults. */
export function settingsForm(fields: readonly SettingField[]): {
  element: HTMLElement;
  read: () => Record<string, string | number>;
} {
  const inputs = fields.map((field) => ({ field, ...input(field) }));
  const element = el(
    "div",
    {},
    el(
      "div",
      { class: "settings" },
      inputs.filter((i) => i.field.main).map((i) => i.label),
    ),
    el(
      "details",
      { class: "more" },
      el("summary", {}, "more settings"),
      el(
        "div",
        { class: "settings" },
        inputs.filter((i) => !i.field.main).map((i) => i.label),
      ),
    ),
  );
  return {
    element,
    read: () => {
      const settings: Record<string, string | number> = {};
      for (const i of inputs) {
        const value = i.read();
        if (value !== null) settings[i.field.name] = value;
      }
      return settings;
    },
  };
}
