"""Every use of python-pptx's private internals, in one place.

python-pptx (1.0) has no public API for some of what the deck needs; each function below
says which.  They reach into underscore attributes or the lxml elements behind the
proxies, which may change in any release: ``pyproject.toml`` therefore bounds python-pptx
below its next major version, and the deck tests exercise every function here.
"""

from __future__ import annotations

from lxml import etree
from pptx.oxml.ns import qn


def remove_all_slides(prs) -> None:
    """Drop a presentation's slides and their relationships.

    Missing API: ``Slides`` has ``add_slide`` but no way to delete one.
    """
    id_list = prs.slides._sldIdLst
    for sld_id in list(id_list):
        id_list.remove(sld_id)
        prs.part.drop_rel(sld_id.rId)


def presentation_element(prs):
    """The ``<p:presentation>`` element (to remove custom shows naming dropped slides).

    Missing API: ``Presentation`` exposes no custom shows or section lists.
    """
    return prs.part._element


def hide_master_shapes(layout) -> None:
    """Do not show the master's own shapes on ``layout``.

    Missing API: no ``SlideLayout`` property for ``showMasterSp``.
    """
    layout._element.set("showMasterSp", "0")


def shape_tree(shapes):
    """The ``<p:spTree>`` behind a shape collection.

    Missing API: masters and layouts have no ``add_shape``, and shapes cannot be reordered.
    """
    return shapes._spTree


def body_properties(text_frame):
    """A text frame's ``<a:bodyPr>``.

    Missing API: insets can be set but not the ``anchor``/``wrap`` of placeholders
    without inheriting; we set all of them on the element explicitly.
    """
    return text_frame._txBody.bodyPr


def paragraph_properties(paragraph):
    """A paragraph's ``<a:pPr>``.

    Missing API: exact line pitch in points, ``marL``/``indent``, bullets and numbering.
    """
    return paragraph._p.get_or_add_pPr()


def run_properties(run):
    """A run's ``<a:rPr>``.

    Missing API: the run's language and ``cap``.
    """
    return run._r.get_or_add_rPr()


def set_description(shape, text: str) -> None:
    """Alt text of a picture (``descr``).

    Missing API: no ``Picture.description``.
    """
    shape._element.nvPicPr.cNvPr.set("descr", text)


def description(shape) -> str:
    """A shape's alt text (``descr``), as a built deck has it.

    Missing API: no ``Shape.description``.
    """
    return shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr") or ""


def remove_style(shape) -> None:
    """Drop an autoshape's ``<p:style>`` (theme shadow and outline).

    Missing API: no way to detach a shape from its theme style.
    """
    shape._element.remove(shape._element.find(qn("p:style")))


def add_arrow_head(line) -> None:
    """A large triangle at a connector's end.

    Missing API: ``LineFormat`` has no line ends.
    """
    etree.SubElement(line._get_or_add_ln(), qn("a:tailEnd"), type="triangle", w="lg", len="lg")


def set_slide_name(slide, name: str) -> None:
    """The slide's name (``<p:cSld name>``), which carries the slide id.

    Missing API: ``Slide.name`` is read-only.
    """
    slide._element.cSld.name = name


def remove_shape(shape) -> None:
    """Delete a shape from its slide.

    Missing API: shapes cannot be deleted.
    """
    shape._element.getparent().remove(shape._element)


def move_first(slide, shape) -> None:
    """Put ``shape`` first in the slide's reading order.

    Missing API: shapes cannot be reordered.
    """
    slide.shapes._spTree.insert(2, shape._element)


def clear_core_properties(core) -> None:
    """Remove every core property (a master's own metadata).

    Missing API: core properties can be set one by one but not removed.
    """
    for child in list(core._element):
        core._element.remove(child)


def package_relationships(package) -> dict:
    """The package's relationships by rId (thumbnail, custom and app properties).

    Missing API: ``OpcPackage`` offers ``drop_rel`` but no listing of its relationships.
    """
    return package._rels


def part_relationships(part) -> dict:
    """A part's relationships by rId, for dropping those that name people.

    Missing API: parts offer no listing of their relationships.
    """
    return part._rels
