//! `#[derive(PureData)]`: implements `para::PureData` for a struct or enum
//! whose every field is `PureData`, so that rustc, not a list of names,
//! decides what a kernel may see.
//!
//! # Why the fields are checked in a body, not in the impl's where-clause
//! The obvious expansion, `unsafe impl PureData for Ty where FieldTy:
//! PureData, ...`, refuses every recursive type: for `struct Tree { kids:
//! Vec<Tree> }` the predicate `Vec<Tree>: PureData` needs `Tree: PureData`,
//! which needs the predicate again, and rustc stops with E0275 (overflow).
//! So the impl is bounded on the type parameters only (`T: PureData`, plus
//! the user's where-clause), and each field type is checked separately,
//! as a call `assert_pure_data::<FieldTy>()` in a function that sees the
//! same generics and bounds: rustc proves each field `PureData` given
//! those bounds, at the definition, with the error spanned on the field's
//! type. `Tree: PureData` is then taken from the impl itself, which is
//! what makes a recursive type fine (the same reasoning that makes `Send`
//! and `Sync` hold for recursive types). The check function is a method of
//! a trait local to an anonymous `const`, so that `Self` in a field type
//! means what it means in the struct, and nothing is added to the user's
//! namespace.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// The derive's entry: the impls, or only the error.
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(input).and_then(|input| expand(&input)) {
        Ok(tokens) => tokens,
        Err(e) => e.into_compile_error(),
    }
}

/// Every field type of a struct or of all an enum's variants, in order.
/// A union is refused: its fields overlap, so its bytes are whichever
/// field was written last, read as any of them.
fn field_types(data: &syn::Data) -> syn::Result<Vec<&syn::Type>> {
    match data {
        syn::Data::Struct(s) => Ok(s.fields.iter().map(|f| &f.ty).collect()),
        syn::Data::Enum(e) => Ok(e
            .variants
            .iter()
            .flat_map(|v| v.fields.iter())
            .map(|f| &f.ty)
            .collect()),
        syn::Data::Union(u) => Err(syn::Error::new_spanned(
            u.union_token,
            "cannot derive `PureData` for a union: a union's bytes are reinterpreted; \
             implement PureData by hand with `unsafe impl` if it is plain data",
        )),
    }
}

// Input:
//     #[derive(PureData)]
//     struct Grid<'a, T> where T: Copy { cells: Vec<T>, name: &'a str }
//
// Output:
//     unsafe impl<'a, T: ::para::PureData> ::para::PureData for Grid<'a, T>
//     where T: Copy {}
//
//     const _: () = {
//         trait __PureDataFields { fn __check(); }
//         impl<'a, T: ::para::PureData> __PureDataFields for Grid<'a, T>
//         where T: Copy {
//             fn __check() {
//                 ::para::__private::assert_pure_data::<Vec<T>>();  // spanned on `Vec<T>`
//                 ::para::__private::assert_pure_data::<&'a str>(); // spanned on `&'a str`
//             }
//         }
//     };
fn expand(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let fields = field_types(&input.data)?;
    let ident = &input.ident;

    let mut generics = input.generics.clone();
    for param in generics.type_params_mut() {
        let span = param.ident.span();
        param
            .bounds
            .push(syn::parse_quote_spanned!(span=> ::para::PureData));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    let checks = fields.iter().map(|ty| {
        quote_spanned! {ty.span()=>
            ::para::__private::assert_pure_data::<#ty>();
        }
    });

    Ok(quote! {
        // SAFETY: every field type is proved `PureData` below (given the
        // same bounds), and a struct or enum adds no state of its own.
        unsafe impl #impl_generics ::para::PureData for #ident #ty_generics #where_clause {}

        const _: () = {
            #[allow(dead_code)]
            trait __PureDataFields {
                fn __check();
            }
            impl #impl_generics __PureDataFields for #ident #ty_generics #where_clause {
                fn __check() {
                    #(#checks)*
                }
            }
        };
    })
}
