package regkb.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.tartarus.snowball.ext.DutchStemmer;

/** Snowball Dutch: the stemmer tantivy's Stemmer("dutch") uses. */
@NamedComponent("regkb_dutch_stem")
public class DutchStemFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream in) {
        return new SnowballFilter(in, new DutchStemmer());
    }
}
