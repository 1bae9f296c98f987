/* The rich-text editor of an item's body (Quill, vendored: docs/adr/0018-rich-text-editor.md).

   Progressive: the <textarea data-rich-text> stays the form field and works without
   JavaScript. With it, the editor is put in front of the textarea and writes its HTML back into
   it on every change and on submit. Only the formats listed below exist in the editor, so what
   Word or Google Docs paste (fonts, colours, classes, spans) is dropped on the way in; the
   server sanitises whatever arrives anyway, and refuses an image without alternative text. */
(function () {
  "use strict";

  var FORMATS = [
    "header", "bold", "italic", "underline", "strike", "script", "blockquote", "code-block",
    "link", "list", "table", "image",
  ];

  function strings() {
    var node = document.getElementById("rich-text-strings");
    return node ? node.dataset : {};
  }

  function attachedImages() {
    // The item's image attachments, by their public address (the edit page lists them).
    var node = document.getElementById("rich-text-strings");
    if (!node || !node.content) {
      return [];
    }
    return Array.prototype.map.call(node.content.querySelectorAll("data"), function (data) {
      return { src: data.getAttribute("value"), name: data.textContent };
    });
  }

  function askImage(quill, text) {
    var range = quill.getSelection(true);
    var images = attachedImages();
    var question = text.imageAddress || "Image address";
    if (images.length) {
      question += "\n" + (text.imageChoice || "Or the number of an attached image:");
      images.forEach(function (image, index) {
        question += "\n" + (index + 1) + ". " + image.name;
      });
    }
    var address = window.prompt(question);
    if (!address) {
      return;
    }
    address = address.trim();
    if (/^\d+$/.test(address) && images[Number(address) - 1]) {
      address = images[Number(address) - 1].src;
    }
    if (!/^(https?:\/\/|\/)/i.test(address)) {
      window.alert(text.imageAddressInvalid || "The address must start with http(s):// or /.");
      return;
    }
    var alt = "";
    while (!alt) {
      alt = window.prompt(text.imageAlt || "Alternative text (required)");
      if (alt === null) {
        return; // cancelled: no image without alternative text
      }
      alt = alt.trim();
    }
    var image = document.createElement("img");
    image.setAttribute("src", address);
    image.setAttribute("alt", alt);
    quill.clipboard.dangerouslyPasteHTML(range ? range.index : quill.getLength(), image.outerHTML, "user");
  }

  function tableCommand(quill, command) {
    var table = quill.getModule("table");
    if (command === "insert") {
      table.insertTable(3, 3);
    } else if (typeof table[command] === "function") {
      table[command]();
    }
  }

  function toolbar(text) {
    var bar = document.createElement("div");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", text.toolbar || "Formatting");
    bar.innerHTML =
      '<span class="ql-formats">' +
      '<select class="ql-header"><option value="2"></option><option value="3"></option>' +
      '<option value="4"></option><option selected></option></select></span>' +
      '<span class="ql-formats"><button type="button" class="ql-bold"></button>' +
      '<button type="button" class="ql-italic"></button></span>' +
      '<span class="ql-formats"><button type="button" class="ql-list" value="ordered"></button>' +
      '<button type="button" class="ql-list" value="bullet"></button></span>' +
      '<span class="ql-formats"><button type="button" class="ql-link"></button>' +
      '<button type="button" class="ql-image"></button></span>' +
      '<span class="ql-formats editor-table">' +
      '<button type="button" class="ql-table" value="insert"></button>' +
      '<button type="button" class="ql-table" value="insertRowBelow"></button>' +
      '<button type="button" class="ql-table" value="insertColumnRight"></button>' +
      '<button type="button" class="ql-table" value="deleteRow"></button>' +
      '<button type="button" class="ql-table" value="deleteColumn"></button></span>';
    // The picker shows each option's text (Quill copies it to data-label).
    var names = [text.heading2, text.heading3, text.heading4, text.paragraph];
    Array.prototype.forEach.call(bar.querySelectorAll("select.ql-header option"), function (o, i) {
      o.textContent = names[i] || "";
    });
    return bar;
  }

  function label(bar, selector, name) {
    Array.prototype.forEach.call(bar.querySelectorAll(selector), function (control) {
      if (name) {
        control.setAttribute("aria-label", name);
        control.setAttribute("title", name);
      }
    });
  }

  function labelToolbar(bar, text) {
    label(bar, ".ql-header.ql-picker .ql-picker-label", text.heading);
    label(bar, "button.ql-bold", text.bold);
    label(bar, "button.ql-italic", text.italic);
    label(bar, 'button.ql-list[value="ordered"]', text.ordered);
    label(bar, 'button.ql-list[value="bullet"]', text.bullet);
    label(bar, "button.ql-link", text.link);
    label(bar, "button.ql-image", text.image);
    var names = {
      insert: text.table, insertRowBelow: text.tableRow, insertColumnRight: text.tableColumn,
      deleteRow: text.tableDeleteRow, deleteColumn: text.tableDeleteColumn,
    };
    Array.prototype.forEach.call(bar.querySelectorAll("button.ql-table"), function (button) {
      var name = names[button.value] || button.value;
      button.textContent = name;
      button.setAttribute("title", name);
    });
  }

  function isEmpty(quill) {
    return quill.getText().trim() === "" && !quill.root.querySelector("img, table");
  }

  function attach(textarea) {
    if (typeof window.Quill !== "function") {
      return; // the script did not load: the textarea stays as it is
    }
    var text = strings();
    var bar = toolbar(text);
    var host = document.createElement("div");
    host.className = "rich-text-editor";
    var surface = document.createElement("div");
    host.appendChild(bar);
    host.appendChild(surface);
    textarea.parentNode.insertBefore(host, textarea);

    var quill = new window.Quill(surface, {
      theme: "snow",
      formats: FORMATS,
      modules: {
        table: true,
        toolbar: {
          container: bar,
          handlers: {
            image: function () { askImage(quill, text); },
            table: function (command) { tableCommand(quill, command); },
          },
        },
      },
    });
    labelToolbar(bar, text);
    if (textarea.value.trim()) {
      quill.setContents(quill.clipboard.convert({ html: textarea.value }), "silent");
    }

    var editable = quill.root;
    editable.setAttribute("role", "textbox");
    editable.setAttribute("aria-multiline", "true");
    var fieldLabel = document.querySelector('label[for="' + textarea.id + '"]');
    if (fieldLabel) {
      fieldLabel.id = fieldLabel.id || textarea.id + "_label";
      editable.setAttribute("aria-labelledby", fieldLabel.id);
      // The label now names the editor: a click on it goes there, not to the hidden textarea.
      fieldLabel.addEventListener("click", function (event) {
        event.preventDefault();
        quill.focus();
      });
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) {
      editable.setAttribute("aria-describedby", described);
    }
    if (textarea.getAttribute("aria-invalid")) {
      editable.setAttribute("aria-invalid", textarea.getAttribute("aria-invalid"));
    }

    function write() {
      // Quill 2 writes every space of getSemanticHTML() as &nbsp; (its issue 4509): the
      // stored text keeps ordinary spaces, so that lines wrap and search finds the words.
      textarea.value = isEmpty(quill) ? "" : quill.getSemanticHTML().replace(/&nbsp;/g, " ");
    }
    quill.on("text-change", write);
    if (textarea.form) {
      textarea.form.addEventListener("submit", write);
    }
    // Out of sight, out of the tab order and of the accessibility tree; still posted.
    textarea.style.display = "none";
    host.dataset.ready = "true";
    textarea.richTextEditor = quill;
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich-text]"), attach);
  });
})();
