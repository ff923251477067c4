/**
 * `cssProps({...})`: an element directive that sets inline style properties through the CSSOM
 * (`element.style.setProperty`) on every render, first included. The panel's CSP forbids style
 * attributes, and Lit's `styleMap` writes the attribute on its first render (the CSP blocks that);
 * the CSSOM is not governed by the CSP.
 */
import { nothing } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

class CssProps extends Directive {
  private previous = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('cssProps() goes on an element: <div ${cssProps({...})}>');
  }

  override update(part: ElementPart, [props]: [Record<string, string>]): unknown {
    const style = (part.element as HTMLElement | SVGElement).style;
    for (const name of this.previous) if (!(name in props)) style.removeProperty(name);
    for (const [name, value] of Object.entries(props)) style.setProperty(name, value);
    this.previous = new Set(Object.keys(props));
    return nothing;
  }

  render(_props: Record<string, string>): unknown {
    return nothing;
  }
}

/** Sets CSS properties (kebab-case names: `padding-left`) on the element it is placed on. */
export const cssProps = directive(CssProps);
