"""Citations used by the descriptors, keyed by a short name.

Every featurizer returns a subset of these from ``citations()`` so that a
user can trace each number to its source.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    """A literature reference with a DOI or URL."""

    key: str
    text: str
    doi: str = ""
    url: str = ""

    def __str__(self) -> str:
        link = f"doi:{self.doi}" if self.doi else self.url
        return f"{self.text} [{link}]" if link else self.text


CITATIONS: dict[str, Citation] = {
    c.key: c
    for c in [
        Citation("miedema_book", "F.R. de Boer, R. Boom, W.C.M. Mattens, A.R. Miedema, A.K. Niessen, "
                 "Cohesion in Metals: Transition Metal Alloys, North-Holland (1988), ISBN 0444870989"),
        Citation("miedema_1980", "F.R. de Boer, R. Boom, A.R. Miedema, Physica B 101, 294 (1980) "
                 "(DOI not verified)"),
        Citation("niessen_1983", "A.K. Niessen et al., Model predictions for the enthalpy of formation of "
                 "transition metal alloys II, Calphad 7, 51-70 (1983) (DOI not verified)"),
        Citation("friedel_elastic", "J. Friedel, Electronic structure of primary solid solutions in metals, "
                 "Adv. Phys. 3, 446 (1954) (DOI not verified)"),
        Citation("hume_rothery", "W. Hume-Rothery, G.W. Mabbott, K.M. Channel Evans, The freezing points, "
                 "melting points, and solid solubility limits of the alloys of silver and copper with the elements "
                 "of the B sub-groups, Phil. Trans. R. Soc. A 233, 1 (1934) (DOI not verified)"),
        Citation("jones_1937", "H. Jones, The phase boundaries in binary alloys, part 2: the theory of the alpha, "
                 "beta phase boundaries, Proc. Phys. Soc. 49, 250 (1937) (DOI not verified)"),
        Citation("pymatgen", "S.P. Ong et al., Python Materials Genomics (pymatgen), Comput. Mater. Sci. 68, "
                 "314 (2013)", doi="10.1016/j.commatsci.2012.10.028"),
        Citation("ase", "A.H. Larsen et al., The atomic simulation environment, J. Phys.: Condens. Matter 29, "
                 "273002 (2017)", doi="10.1088/1361-648X/aa680e"),
        Citation("oqmd", "S. Kirklin et al., The Open Quantum Materials Database (OQMD), npj Comput. Mater. 1, "
                 "15010 (2015)", doi="10.1038/npjcompumats.2015.10"),
        Citation("chgnet", "B. Deng et al., CHGNet as a pretrained universal neural network potential for charge-informed "
                 "atomistic modelling, Nat. Mach. Intell. 5, 1031 (2023)", doi="10.1038/s42256-023-00716-3"),
        Citation("strukturbericht", "Structure types and Wyckoff positions of the prototypes: AFLOW Library of Crystallographic "
                 "Prototypes, M.J. Mehl et al., Comput. Mater. Sci. 136, S1 (2017)", doi="10.1016/j.commatsci.2017.01.017"),
        Citation("mering_maire", "J. Mering, J. Maire, Le processus de la graphitation, J. Chim. Phys. 57, 803 "
                 "(1960) (DOI not verified)"),
        Citation("tuinstra_koenig", "F. Tuinstra, J.L. Koenig, Raman spectrum of graphite, J. Chem. Phys. 53, "
                 "1126 (1970)", doi="10.1063/1.1674108"),
        Citation("cancado_2006", "L.G. Cancado et al., General equation for the determination of the crystallite "
                 "size La of nanographite by Raman spectroscopy, Appl. Phys. Lett. 88, 163106 (2006)",
                 doi="10.1063/1.2196057"),
        Citation("ferrari_robertson", "A.C. Ferrari, J. Robertson, Interpretation of Raman spectra of disordered "
                 "and amorphous carbon, Phys. Rev. B 61, 14095 (2000)", doi="10.1103/PhysRevB.61.14095"),
        Citation("howe_2003", "J.Y. Howe, C.J. Rawn, L.E. Jones, H. Ow, Improved crystallographic data for "
                 "graphite, Powder Diffr. 18, 150 (2003)", doi="10.1154/1.1536926"),
        Citation("iupac_carbon", "E. Fitzer, K.-H. Kochling, H.P. Boehm, H. Marsh, Recommended terminology for "
                 "the description of carbon as a solid (IUPAC Recommendations 1995), Pure Appl. Chem. 67, 473 "
                 "(1995)", doi="10.1351/pac199567030473"),
    ]
}


def cite(*keys: str) -> list[str]:
    """Return formatted citation strings for the given keys."""
    return [str(CITATIONS[k]) for k in keys]
