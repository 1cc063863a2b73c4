"use strict";
// What the avatar gallery and the voice browser share: render a search tool's result, search again through
// the host with the same arguments and a new query, and tell the conversation which item the user picked.
// Needs bridge.js, and a page with #search (a form holding #query), #status, #note and #error.
// A view shown for another tool's result too (the gallery for create_avatar) reads it with `resultOf`, which
// gives { items, total, status }, and keeps only the search's own arguments with `searchInput`.
function searchView({
  name,
  tool,
  noun,
  list,
  item,
  hint,
  idArgument,
  label = (record) => record.display_name,
  resultOf = (data) => data,
  searchInput = (args) => args,
  ...more
}) {
  const form = document.getElementById("search");
  const query = document.getElementById("query");
  const statusLine = document.getElementById("status");
  let lastArguments = {};

  function render(result) {
    more.beforeRender?.();
    const failure = view.errorOf(result);
    show("error", failure);
    show("note", "");
    if (failure) {
      list.replaceChildren();
      statusLine.textContent = "";
      return;
    }
    const data = resultOf(result.structuredContent || {});
    const items = Array.isArray(data.items) ? data.items : [];
    list.replaceChildren(...items.map(item));
    const shown = data.status || `Showing ${items.length} of ${data.total ?? items.length} ${noun}s.`;
    statusLine.textContent = items.length ? `${shown} ${hint}` : shown;
    if (data.note) show("note", data.note);
  }

  async function pick(record) {
    const what = label(record);
    try {
      const how = await view.choose({
        context: `The user picked the ${noun} ${what} in the ${name}: ${idArgument} ${record.id}. ` +
          `Use it as ${idArgument} for create_session_token.`,
        message: `Use the ${noun} ${what}, ${idArgument} ${record.id}.`,
        structured: { [idArgument]: record.id, display_name: record.display_name },
      });
      const after = how ? " The assistant knows." : ` Tell the assistant to use this ${idArgument}.`;
      statusLine.replaceChildren(`Picked ${what}: `, el("span", { class: "id", text: record.id }), after);
    } catch (error) {
      show("error", `Could not tell the assistant: ${error.message}`);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { refresh, ...kept } = lastArguments;
    const args = { ...kept, query: query.value.trim() || null };
    form.querySelector("button").disabled = true;
    statusLine.textContent = "Searching…";
    try {
      render(await view.callTool(tool, args));
    } catch (error) {
      show("error", `The search failed: ${error.message}`);
    } finally {
      form.querySelector("button").disabled = false;
    }
  });

  view
    .start(`anam-${name.replaceAll(" ", "-")}`, {
      toolInput(args) {
        lastArguments = searchInput(args);
        query.value = lastArguments.query || "";
      },
      toolResult: render,
      cancelled(reason) {
        statusLine.textContent = `The search was cancelled${reason ? `: ${reason}` : "."}`;
      },
      teardown: more.teardown,
    })
    .then(() => {
      if (view.canCallTools()) return;
      for (const control of form.elements) control.disabled = true;
      query.placeholder = "This host does not let views search: ask the assistant";
    })
    .catch((error) => show("error", `Could not connect to the host: ${error.message}`));

  return { pick, say: (text) => (statusLine.textContent = text) };
}
