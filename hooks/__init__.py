"""The site build, as a package MkDocs runs through ``hooks/events.py`` (mkdocs.yml ``hooks:``).

One flow, one module per step:

1. ``execution`` — execute each notebook in a kernel, through a content-addressed
   cache keyed on its code cells + the ``linreg`` modules it imported + the pins
   (the kernel records its imports: ``kernel_site/sitecustomize.py``;
   ``markdown_cache``: the same keys for the code that Markdown pages execute,
   with every ``linreg`` file);
2. ``media`` — take images and videos out of the executed notebooks into
   content-addressed files, registered with MkDocs as generated files;
3. mkdocs-jupyter renders the executed notebooks (it executes nothing), with
   nbconvert's exporters made cheaper to run again (``exporters``);
4. ``render`` and ``formulas`` — touch-ups of the rendered pages: only the
   notebook kept (the site's ``notebook.css`` styles it), collapsed solutions,
   math typeset at build time, no request to another origin.
"""
